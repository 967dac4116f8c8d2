"""Runs Tidemark's and Debian's promtool side by side on the same files (check config, test
rules) and compares their verdicts."""
import os
import re
import subprocess

from tmtest import TIDEMARK_BIN, skip, which


def promtool_or_skip():
    """The promtool binary; skips the test when it is not installed."""
    promtool = which("promtool")
    if not promtool:
        skip("promtool is not installed")
    return promtool


def run(cmd, cwd, timeout=120):
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=cwd)
    return p.returncode, p.stdout, p.stderr


def want_exit(path):
    """The exit code a file's name states: 0 for pass_*/valid_*, 1 otherwise."""
    return 0 if re.match(r"(pass|valid)_", os.path.basename(path)) else 1


def same_verdict(promtool, args, name, root, failures):
    """Runs `promtool <args> name` and `tidemark <args> name` in `root`. Records a failure when
    promtool's exit is not the one the name states, or Tidemark's is not promtool's. Returns
    (pout, perr, tout, terr) when both agree, else None."""
    prc, pout, perr = run([promtool, *args, name], root)
    trc, tout, terr = run([TIDEMARK_BIN, *args, name], root)
    want = want_exit(name)
    if prc != want:
        failures.append(f"{name}: promtool exit {prc}, the file name says {want}:\n{pout}{perr}")
    if trc != prc:
        failures.append(f"{name}: tidemark exit {trc} != promtool exit {prc}\n"
                        f"promtool:\n{pout}{perr}\ntidemark:\n{tout}{terr}")
        return None
    return pout, perr, tout, terr


def tidemark_verdict(args, path, root, failures):
    """Runs `tidemark <args> path` alone (files promtool 2.42 cannot judge); records a failure
    when the exit is not the one the name states. Returns (exit, stdout, stderr)."""
    trc, tout, terr = run([TIDEMARK_BIN, *args, path], root)
    want = want_exit(path)
    if trc != want:
        failures.append(f"{path}: tidemark exit {trc}, want {want}\n{tout}{terr}")
    return trc, tout, terr

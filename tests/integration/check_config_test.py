"""`tidemark check config` and `promtool check config` (Debian's, 2.42) give the same verdict on
every config of tests/testdata/config_check (valid_* pass, invalid_* fail with exit 1) and report
the same rule-file counts. Files under tidemark_only/ use Tidemark's own sections (notifications,
slo_files, ...), which promtool does not know: only our verdict, stated by the name, is checked."""
import glob
import os
import re
import subprocess

from tmtest import SOURCE_DIR, TIDEMARK_BIN, exit_on_failures, skip, which

SUCCESS_LINE = re.compile(r"^\s*SUCCESS: \d+ rule(?: file)?s found$", re.M)


def run(cmd, cwd):
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=60, cwd=cwd)
    return p.returncode, p.stdout, p.stderr


def main():
    promtool = which("promtool")
    if not promtool:
        skip("promtool is not installed")
    root = os.path.join(SOURCE_DIR, "tests/testdata/config_check")
    names = sorted(os.path.basename(p) for p in glob.glob(os.path.join(root, "*.yml")))
    valid = [n for n in names if n.startswith("valid_")]
    invalid = [n for n in names if n.startswith("invalid_")]
    assert len(valid) >= 4 and len(invalid) >= 6, names
    failures = []
    for name in valid + invalid:
        want = 0 if name.startswith("valid_") else 1
        prc, pout, perr = run([promtool, "check", "config", name], root)
        trc, tout, terr = run([TIDEMARK_BIN, "check", "config", name], root)
        if prc != want:
            failures.append(f"{name}: promtool exit {prc}, the file name says {want}:\n{pout}{perr}")
        if trc != prc:
            failures.append(f"{name}: tidemark exit {trc} != promtool exit {prc}\n"
                            f"promtool:\n{pout}{perr}\ntidemark:\n{tout}{terr}")
            continue
        if not tout.startswith(f"Checking {name}\n"):
            failures.append(f"{name}: no 'Checking' line:\n{tout}")
        # The rule files found and each one's verdict, as promtool reports them.
        checked = lambda out: re.findall(r"^Checking (.*)$", out, re.M)
        if checked(pout) != checked(tout) or SUCCESS_LINE.findall(pout) != SUCCESS_LINE.findall(tout):
            failures.append(f"{name}: different report\npromtool:\n{pout}{perr}\ntidemark:\n{tout}{terr}")
        if ("FAILED" in perr) != ("FAILED" in terr):
            failures.append(f"{name}: FAILED lines differ\npromtool:\n{perr}\ntidemark:\n{terr}")
    own = sorted(glob.glob(os.path.join(root, "tidemark_only", "*.yml")))
    own = [p for p in own if re.match(r"(pass|fail)_", os.path.basename(p))]
    assert len(own) >= 5, own
    for path in own:
        want = 0 if os.path.basename(path).startswith("pass_") else 1
        trc, tout, terr = run([TIDEMARK_BIN, "check", "config", path], root)
        if trc != want:
            failures.append(f"{path}: tidemark exit {trc}, want {want}\n{tout}{terr}")
        if want == 1 and "FAILED" not in terr:
            failures.append(f"{path}: no FAILED line\n{tout}{terr}")
    trc, tout, _ = run([TIDEMARK_BIN, "check", "config", valid[0], invalid[0]], root)
    if trc != 1 or tout.count("Checking ") < 2:
        failures.append(f"multi-file run: exit {trc}\n{tout}")
    exit_on_failures(failures, sep="\n\n")
    print(f"OK: {len(valid)} valid and {len(invalid)} invalid configs, same verdict as promtool; "
          f"{len(own)} Tidemark-only configs")


if __name__ == "__main__":
    main()

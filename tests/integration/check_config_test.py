"""`tidemark check config` and `promtool check config` (Debian's, 2.42) give the same verdict on
every config of tests/testdata/config_check (valid_* pass, invalid_* fail with exit 1) and report
the same rule-file counts. Files under tidemark_only/ use Tidemark's own sections (notifications,
slo_files, ...), which promtool does not know: only our verdict, stated by the name, is checked."""
import glob
import os
import re

from promtool import promtool_or_skip, run, same_verdict, tidemark_verdict
from tmtest import SOURCE_DIR, TIDEMARK_BIN, exit_on_failures

SUCCESS_LINE = re.compile(r"^\s*SUCCESS: \d+ rule(?: file)?s found$", re.M)


def main():
    promtool = promtool_or_skip()
    root = os.path.join(SOURCE_DIR, "tests/testdata/config_check")
    names = sorted(os.path.basename(p) for p in glob.glob(os.path.join(root, "*.yml")))
    valid = [n for n in names if n.startswith("valid_")]
    invalid = [n for n in names if n.startswith("invalid_")]
    assert len(valid) >= 4 and len(invalid) >= 6, names
    failures = []
    for name in valid + invalid:
        outputs = same_verdict(promtool, ["check", "config"], name, root, failures)
        if outputs is None:
            continue
        pout, perr, tout, terr = outputs
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
        trc, tout, terr = tidemark_verdict(["check", "config"], path, root, failures)
        if trc == 1 and "FAILED" not in terr:
            failures.append(f"{path}: no FAILED line\n{tout}{terr}")
    trc, tout, _ = run([TIDEMARK_BIN, "check", "config", valid[0], invalid[0]], root)
    if trc != 1 or tout.count("Checking ") < 2:
        failures.append(f"multi-file run: exit {trc}\n{tout}")
    exit_on_failures(failures, sep="\n\n")
    print(f"OK: {len(valid)} valid and {len(invalid)} invalid configs, same verdict as promtool; "
          f"{len(own)} Tidemark-only configs")


if __name__ == "__main__":
    main()

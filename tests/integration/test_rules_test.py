"""`tidemark test rules` and `promtool test rules` (Debian's, 2.42) agree on every unit-test file
of tests/alerting/testdata/unittest: the same exit code, the verdict the file's name states
(pass_*/fail_*), and the same failing checks (test group, alert name or expression, eval time).
Files under tidemark_only/ use Prometheus 3.x behaviour promtool 2.42 lacks; only their verdict is
checked. Several files in one run: exit 1 if any fails, every file reported."""
import glob
import os
import re

from promtool import promtool_or_skip, run, same_verdict, tidemark_verdict
from tmtest import SOURCE_DIR, TIDEMARK_BIN, exit_on_failures

# The head of each reported failure: which group, alert or expression failed at which time.
FAILURE_HEAD = re.compile(r'^\s+(name: .*|alertname: [^,]+, time: [^,]+|'
                          r'expr: ".*", time: [^,]+|rule: [^,]+, time: [^,]+),?', re.M)


def main():
    promtool = promtool_or_skip()
    root = os.path.join(SOURCE_DIR, "tests/alerting/testdata/unittest")
    names = sorted(os.path.basename(p) for p in glob.glob(os.path.join(root, "*.yml"))
                   if re.match(r"(pass|fail)_", os.path.basename(p)))
    assert sum(n.startswith("pass_") for n in names) >= 5, names
    assert sum(n.startswith("fail_") for n in names) >= 10, names
    failures = []
    for name in names:
        want = 0 if name.startswith("pass_") else 1
        outputs = same_verdict(promtool, ["test", "rules"], name, root, failures)
        if outputs is None:
            continue
        _, perr, tout, terr = outputs
        if FAILURE_HEAD.findall(perr) != FAILURE_HEAD.findall(terr):
            failures.append(f"{name}: different failing checks\npromtool:\n{perr}\ntidemark:\n{terr}")
        if not tout.startswith(f"Unit Testing:  {name}\n"):
            failures.append(f"{name}: no 'Unit Testing:' header: {tout}")
        if ("  SUCCESS\n" in tout) != (want == 0) or ("  FAILED:\n" in terr) != (want == 1):
            failures.append(f"{name}: SUCCESS/FAILED lines wrong:\n{tout}{terr}")
    for path in sorted(glob.glob(os.path.join(root, "tidemark_only", "*.yml"))):
        tidemark_verdict(["test", "rules"], path, root, failures)
    trc, tout, _ = run([TIDEMARK_BIN, "test", "rules", "pass_basic.yml", "fail_promql_value.yml"], root)
    if trc != 1 or tout.count("Unit Testing:") != 2:
        failures.append(f"multi-file run: exit {trc}\n{tout}")
    exit_on_failures(failures, sep="\n\n")
    print(f"OK: {len(names)} unit-test files, same verdicts and failing checks as promtool")


if __name__ == "__main__":
    main()

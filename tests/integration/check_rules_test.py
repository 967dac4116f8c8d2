"""`tidemark check rules` and `promtool check rules` give the same verdict on every test file.

Valid files (tests/alerting/testdata/rules/valid, plus the docs example) must pass both; invalid
ones must fail both with exit code 1. Tidemark's messages name file, line and reason.
"""
import glob
import os
import subprocess

from tmtest import SOURCE_DIR, TIDEMARK_BIN, exit_on_failures, skip, which


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout + p.stderr


def main():
    promtool = which("promtool")
    if not promtool:
        skip("promtool is not installed")
    root = os.path.join(SOURCE_DIR, "tests/alerting/testdata/rules")
    valid = sorted(glob.glob(os.path.join(root, "valid", "*.yml")))
    valid.append(os.path.join(SOURCE_DIR, "docs/examples/workflow-service/rules.yml"))
    invalid = sorted(glob.glob(os.path.join(root, "invalid", "*.yml")))
    assert len(valid) >= 5 and len(invalid) >= 15, (len(valid), len(invalid))
    failures = []
    for path, want in [(p, 0) for p in valid] + [(p, 1) for p in invalid]:
        prc, pout = run([promtool, "check", "rules", path])
        trc, tout = run([TIDEMARK_BIN, "check", "rules", path])
        name = os.path.relpath(path, SOURCE_DIR)
        if prc != want:
            failures.append(f"{name}: promtool exit {prc}, test expects {want}:\n{pout}")
        if trc != prc:
            failures.append(f"{name}: tidemark exit {trc} != promtool exit {prc}\n"
                            f"promtool: {pout}\ntidemark: {tout}")
        if want == 0 and "SUCCESS" not in tout:
            failures.append(f"{name}: no SUCCESS line: {tout}")
        if want == 1 and (name.split('/')[-1] not in tout or "FAILED" not in tout):
            failures.append(f"{name}: error output lacks file name/FAILED: {tout}")
    # Several files at once: exit 1 if any fails, every file reported.
    trc, tout = run([TIDEMARK_BIN, "check", "rules", valid[0], invalid[0]])
    if trc != 1 or tout.count("Checking ") != 2:
        failures.append(f"multi-file run: exit {trc}\n{tout}")
    # Rule counts agree with promtool's SUCCESS lines.
    for path in valid:
        _, pout = run([promtool, "check", "rules", path])
        _, tout = run([TIDEMARK_BIN, "check", "rules", path])
        pl = [l.strip() for l in pout.splitlines() if "SUCCESS" in l]
        tl = [l.strip() for l in tout.splitlines() if "SUCCESS" in l]
        if pl != tl:
            failures.append(f"{path}: promtool {pl} vs tidemark {tl}")
    exit_on_failures(failures, sep="\n\n")
    print(f"OK: {len(valid)} valid and {len(invalid)} invalid files, same verdict as promtool")


if __name__ == "__main__":
    main()

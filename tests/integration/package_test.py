"""The Debian package installs into a brand-new minimal Debian 12 root and runs there.

Builds the .deb with CPack from this build tree, copies a cached `debootstrap --variant=minbase
bookworm` root (made once, with the package's dependencies pre-downloaded, under
$TM_CACHE_DIR or ~/.cache/tidemark), installs the package with `apt-get install ./tidemark_*.deb`
inside it, then runs the unit's ExecStart as the unit's User in that root (on free loopback
ports) and checks /-/ready, a remote-write and a query. Removal keeps the data; purge deletes it
and the user. Skipped, saying why, without root or debootstrap.
"""
import os
import re
import shutil
import subprocess
import sys
import time

import tmtest
from promwrite import remote_write

BUILD_DIR = os.environ.get("TM_BUILD_DIR", os.path.join(tmtest.SOURCE_DIR, "build"))
CACHE_DIR = os.environ.get("TM_CACHE_DIR", os.path.expanduser("~/.cache/tidemark"))
SUITE, MIRROR = "bookworm", os.environ.get("TM_DEBIAN_MIRROR", "http://deb.debian.org/debian")


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {r.returncode}:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}")
    return r.stdout


class Chroot:
    """A root with /proc mounted while in use (apt and the server read it)."""

    def __init__(self, root):
        self.root = root

    def __enter__(self):
        run(["mount", "-t", "proc", "proc", os.path.join(self.root, "proc")])
        return self

    def __exit__(self, *exc):
        subprocess.run(["umount", "-l", os.path.join(self.root, "proc")], check=False)

    def sh(self, script, check=True):
        r = subprocess.run(["chroot", self.root, "/bin/sh", "-ec", script], capture_output=True, text=True,
                           env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "DEBIAN_FRONTEND": "noninteractive",
                                "LANG": "C"})
        if check and r.returncode != 0:
            raise RuntimeError(f"in chroot: {script}\nexit {r.returncode}\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}")
        return r


def build_deb(out_dir):
    config = os.path.join(BUILD_DIR, "CPackConfig.cmake")
    if not os.path.exists(config):
        tmtest.skip(f"no {config}: configure the build first")
    run(["cpack", "-G", "DEB", "--config", config, "-B", out_dir])
    debs = [f for f in os.listdir(out_dir) if re.fullmatch(r"tidemark_.*\.deb", f)]
    assert len(debs) == 1, debs
    return os.path.join(out_dir, debs[0])


def cached_root_tar(deb):
    """A tarball of a fresh minbase root with apt lists and the package's dependencies downloaded
    (not installed), so later installs need no network. Made once per cache directory."""
    tar = os.path.join(CACHE_DIR, f"debian-{SUITE}-minbase.tar")
    if os.path.exists(tar):
        return tar
    os.makedirs(CACHE_DIR, exist_ok=True)
    work = tmtest.tempdir("tm-debootstrap-")
    root = os.path.join(work, "root")
    print(f"making the cached {SUITE} root (debootstrap from {MIRROR}; once per machine)", flush=True)
    run(["debootstrap", "--variant=minbase", SUITE, root, MIRROR])
    shutil.copy(deb, os.path.join(root, "tmp", "tidemark.deb"))
    with Chroot(root) as c:
        c.sh("apt-get update -qq && apt-get install -y -qq --download-only /tmp/tidemark.deb >/dev/null")
    os.remove(os.path.join(root, "tmp", "tidemark.deb"))
    run(["tar", "-C", root, "-cf", tar + ".part", "."])
    os.replace(tar + ".part", tar)
    return tar


def main():
    if os.geteuid() != 0:
        tmtest.skip("needs root (debootstrap, chroot, mount)")
    for tool in ("debootstrap", "cpack", "chroot"):
        if shutil.which(tool) is None:
            tmtest.skip(f"{tool} is not installed (scripts/install-deps.sh installs it)")
    failures = []
    work = tmtest.tempdir("tm-package-")
    deb = build_deb(work)
    root = os.path.join(work, "root")
    os.makedirs(root)
    run(["tar", "-C", root, "-xf", cached_root_tar(deb)])
    shutil.copy(deb, os.path.join(root, "tmp", os.path.basename(deb)))
    with Chroot(root) as c:
        c.sh(f"apt-get install -y -qq --no-install-recommends /tmp/{os.path.basename(deb)} >/dev/null")
        unit = open(os.path.join(root, "lib/systemd/system/tidemark.service")).read()
        user = re.search(r"^User=(\S+)$", unit, re.M).group(1)
        exec_start = re.search(r"^ExecStart=(.+)$", unit, re.M).group(1).split()
        owner = c.sh("stat -c %U /var/lib/tidemark").stdout.strip()
        if owner != user:
            failures.append(f"/var/lib/tidemark is owned by {owner}, the unit runs as {user}")
        conffiles = c.sh("cat /var/lib/dpkg/info/tidemark.conffiles").stdout.split()
        if "/etc/tidemark/tidemark.yml" not in conffiles:
            failures.append(f"/etc/tidemark/tidemark.yml is not a conffile: {conffiles}")
        check = c.sh("tidemark check config /etc/tidemark/tidemark.yml", check=False)
        if check.returncode != 0:
            failures.append(f"the shipped config does not check: {check.stdout}{check.stderr}")

        port, otlp = tmtest.free_port(), tmtest.free_port()
        # Numeric ids from the root's own passwd: the host has no such user.
        uid, gid = c.sh(f"id -u {user}; id -g {user}").stdout.split()
        cmd = ["chroot", "--userspec", f"{uid}:{gid}", "--groups", gid, root] + exec_start + [
            f"--web.listen-address=127.0.0.1:{port}", f"--otlp-listen=127.0.0.1:{otlp}"]
        server = tmtest.start(cmd, log_name="tidemark-packaged")
        url = f"http://127.0.0.1:{port}"
        try:
            tmtest.wait_http(url + "/-/ready", timeout=60, proc=server)
            status, _, body = tmtest.request("GET", url + "/-/ready")
            if status != 200:
                failures.append(f"/-/ready answered {status}: {body[:200]}")
            now = int(time.time() * 1000)
            series = [({"__name__": "package_test_metric", "job": "package"}, [(now - 1000, 42.5)])]
            status = remote_write(url + "/api/v1/write", series)
            if status != 204:
                failures.append(f"remote-write answered {status}")
            status, out = tmtest.get_json(url + "/api/v1/query", {"query": "package_test_metric"})
            got = [r["value"][1] for r in (out or {}).get("data", {}).get("result", [])]
            if got != ["42.5"]:
                failures.append(f"query answered {status} {got}, want ['42.5']")
        finally:
            server.terminate()
            server.wait(timeout=30)
        if server.returncode != 0:
            failures.append(f"the server exited {server.returncode} on SIGTERM:\n{tmtest.log_of(server)}")
        data = os.listdir(os.path.join(root, "var/lib/tidemark"))
        if not data:
            failures.append("nothing was written to /var/lib/tidemark")

        c.sh("apt-get remove -y -qq tidemark >/dev/null")
        if not os.path.isdir(os.path.join(root, "var/lib/tidemark")) or os.path.exists(os.path.join(root, "usr/bin/tidemark")):
            failures.append("remove: the data should stay and the binary go")
        c.sh("apt-get purge -y -qq tidemark >/dev/null")
        if os.path.exists(os.path.join(root, "var/lib/tidemark")):
            failures.append("purge left /var/lib/tidemark")
        if c.sh(f"getent passwd {user}", check=False).returncode == 0:
            failures.append(f"purge left the {user} user")
    tmtest.exit_on_failures(failures, summary=f"package {os.path.basename(deb)}: installed, served, removed, purged")


if __name__ == "__main__":
    main()

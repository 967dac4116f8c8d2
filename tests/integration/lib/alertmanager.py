"""Starts a real Alertmanager (Debian's prometheus-alertmanager) for integration tests."""
import os

from tmtest import free_port, skip, start, wait_http, which


def start_alertmanager(d, config_yaml, need_amtool=False):
    """Runs Alertmanager on a free loopback port with `config_yaml` as its config (files under
    directory `d`), clustering off, and waits until it is ready. Skips the test when it (or, with
    need_amtool, amtool) is not installed. Returns (process, base URL)."""
    am_bin = which("prometheus-alertmanager", "alertmanager")
    if not am_bin or (need_amtool and not which("amtool")):
        skip("prometheus-alertmanager" + (" (with amtool)" if need_amtool else "") + " is not installed")
    port = free_port()
    cfg = os.path.join(d, "am.yml")
    with open(cfg, "w") as f:
        f.write(config_yaml)
    proc = start([am_bin, f"--config.file={cfg}", f"--storage.path={d}/am-data",
                  f"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address="],
                 "alertmanager")
    url = f"http://127.0.0.1:{port}"
    wait_http(url + "/-/ready", timeout=60, proc=proc)
    return proc, url

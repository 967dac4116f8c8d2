"""Process helpers the peer benchmarks share: a free loopback port, a process' CPU seconds, and
an optional "measuring now" flag file (TM_BENCH_FLAG) that other jobs on the machine may wait on."""
import contextlib
import os
import socket


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid):
    """User + system CPU seconds of process `pid`, from /proc."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def measuring():
    """Creates the file named by TM_BENCH_FLAG (if set) for the duration of a timed window."""
    flag = os.environ.get("TM_BENCH_FLAG")
    if flag:
        open(flag, "w").close()
    try:
        yield
    finally:
        if flag and os.path.exists(flag):
            os.remove(flag)

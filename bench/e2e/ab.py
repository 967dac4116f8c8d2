#!/usr/bin/env python3
"""Two Tidemark binaries side by side on the same data (e.g. before and after a change).

Reuses the batch file and query range of an earlier `run.py` run (its --work-dir), loads both
servers with it, waits until both are idle, then runs each of run.py's dashboard queries
REPEATS times, alternating A and B, so that whatever else the machine does hits both alike.
Prints a Markdown table: median wall ms and mean server CPU ms per query (CPU is read from
/proc in clock ticks, so it is exact only over many repeats), and B/A ratios.

    python3 bench/e2e/run.py --scale 10k --targets tidemark --no-results-md   # makes the data
    python3 bench/e2e/ab.py --work-dir /tmp/tm-e2e-10k --a OLD_BIN --b NEW_BIN --repeats 40
"""
import argparse, glob, http.client, json, os, shutil, statistics, subprocess, sys, time, urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import queries as query_set  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchproc import cpu_seconds, free_port  # noqa: E402


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--work-dir", required=True, help="an earlier run.py --work-dir (data.batches, results-*.json)")
    ap.add_argument("--a", required=True, help="binary A (e.g. before)")
    ap.add_argument("--b", required=True, help="binary B (e.g. after)")
    ap.add_argument("--load-bin", default=os.path.join(here, "../../build/bench/e2e/tm_e2e_load"))
    ap.add_argument("--repeats", type=int, default=20)
    ap.add_argument("--range", help="the name of one of run.py's query ranges (default: its first)")
    args = ap.parse_args()
    batch = os.path.join(args.work_dir, "data.batches")
    ranges = json.load(open(glob.glob(os.path.join(args.work_dir, "results-*.json"))[0]))["query_ranges"]
    rg = next((r for r in ranges if r["name"] == args.range), None) if args.range else ranges[0]
    if rg is None:
        sys.exit(f"no query range {args.range!r}; there are {[r['name'] for r in ranges]}")
    bins = {"A": args.a, "B": args.b}
    procs, ports, scratch = {}, {}, {}
    try:
        for v, b in bins.items():
            scratch[v] = os.path.join(args.work_dir, f"ab-{v}")
            shutil.rmtree(scratch[v], ignore_errors=True)
            os.makedirs(scratch[v])
            ports[v] = free_port()
            procs[v] = subprocess.Popen(
                [b, "serve", "--data-dir", scratch[v] + "/data", "--listen", f"127.0.0.1:{ports[v]}",
                 "--otlp-listen", f"127.0.0.1:{free_port()}", "--retention-time=30d",
                 # As run.py: every repeat evaluates the whole range.
                 "--query.range-cache-size=0"],
                stdout=open(scratch[v] + "/log", "w"), stderr=subprocess.STDOUT)
        time.sleep(2)
        for v in bins:
            subprocess.run([args.load_bin, "send", "--file", batch, "--url", f"http://127.0.0.1:{ports[v]}/api/v1/write"],
                           check=True, capture_output=True)
        while True:  # both idle (< 5 % of a CPU over 15 s), as run.py settles before queries
            c0 = {v: cpu_seconds(p.pid) for v, p in procs.items()}
            time.sleep(15)
            if all(cpu_seconds(p.pid) - c0[v] < 0.75 for v, p in procs.items()):
                break
        conns = {v: http.client.HTTPConnection("127.0.0.1", ports[v], timeout=600) for v in bins}

        def get(v, path):
            conns[v].request("GET", path)
            r = conns[v].getresponse()
            return r.status, r.read()

        rows = []
        for q in query_set.QUERIES:
            path = "/api/v1/query_range?" + urllib.parse.urlencode(
                {"query": q["expr"], "start": rg["start"], "end": rg["end"], "step": rg["step"]})
            bodies = {v: get(v, path) for v in bins}  # warm-up, and the answers must agree
            if bodies["A"] != bodies["B"]:
                print(f"warning: {q['name']}: A and B answer differently", file=sys.stderr)
            wall = {v: [] for v in bins}
            cpu = {v: 0.0 for v in bins}
            for i in range(args.repeats):
                for v in (("A", "B") if i % 2 == 0 else ("B", "A")):
                    c0, t0 = cpu_seconds(procs[v].pid), time.perf_counter()
                    status, body = get(v, path)
                    wall[v].append((time.perf_counter() - t0) * 1000)
                    cpu[v] += (cpu_seconds(procs[v].pid) - c0) * 1000
                    if status != 200:
                        sys.exit(f"{q['name']}: {v} answered {status}: {body[:200]!r}")
            rows.append((q["name"], {v: (statistics.median(wall[v]), cpu[v] / args.repeats) for v in bins}))
    finally:
        for p in procs.values():
            p.terminate()
    print(f"| query ({args.repeats} alternating repeats) | A ms (wall; CPU) | B ms (wall; CPU) | B/A wall | B/A CPU |")
    print("|---|---|---|---|---|")
    tot = {"A": 0.0, "B": 0.0}
    for name, r in rows:
        a, b = r["A"], r["B"]
        tot["A"] += a[1]
        tot["B"] += b[1]
        ratio = f"{b[1] / a[1]:.2f}" if a[1] else "-"
        print(f"| {name} | {a[0]:.2f}; {a[1]:.1f} | {b[0]:.2f}; {b[1]:.1f} | {b[0] / a[0]:.2f} | {ratio} |")
    print(f"| all queries, server CPU | {tot['A']:.1f} | {tot['B']:.1f} | | {tot['B'] / tot['A']:.2f} |")


if __name__ == "__main__":
    main()

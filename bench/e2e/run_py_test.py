"""Unit tests of the benchmark script's pure parts: result comparison, percentiles, RESULTS.md editing."""

import os
import subprocess
import sys
import tempfile
import unittest

import queries
import results_md
import run


def matrix(metric, points):
    return {"metric": metric, "values": [[t, str(v)] for t, v in points]}


class CompareTest(unittest.TestCase):
    def test_identical_results_match(self):
        a = [matrix({"job": "x"}, [(1, 1.5), (2, float("nan"))])]
        c = queries.compare(a, a)
        self.assertTrue(c["ok"])
        self.assertEqual(queries.summarize(c), "identical")

    def test_counts_missing_extra_and_differing(self):
        ref = [matrix({"a": "1"}, [(1, 1.0), (2, 2.0)]), matrix({"a": "2"}, [(1, 1.0)])]
        got = [matrix({"a": "1"}, [(1, 1.0), (2, 2.2), (3, 3.0)]), matrix({"a": "3"}, [(1, 1.0)])]
        c = queries.compare(ref, got)
        self.assertFalse(c["ok"])
        self.assertEqual((c["series_missing"], c["series_extra"]), (1, 1))
        self.assertEqual((c["points_missing"], c["points_extra"], c["points_differ"]), (0, 1, 1))
        self.assertAlmostEqual(c["max_rel_err"], 0.2 / 2.2)
        self.assertEqual(c["example"]["t_ms"], 2000)

    def test_kept_metric_name_is_reported_and_values_still_checked(self):
        ref = [matrix({"a": "1"}, [(1, 4.0)])]
        got = [matrix({"a": "1", "__name__": "m"}, [(1, 4.0)])]
        c = queries.compare(ref, got)
        self.assertTrue(c["name_kept"])
        self.assertEqual(queries.summarize(c), "keeps `__name__`; values identical")

    def test_tolerance_is_relative(self):
        ref = [matrix({}, [(1, 1e12)])]
        self.assertTrue(queries.compare(ref, [matrix({}, [(1, 1e12 + 1)])])["ok"])
        self.assertFalse(queries.compare(ref, [matrix({}, [(1, 1.00001e12)])])["ok"])


class PercentileTest(unittest.TestCase):
    def test_nearest_rank(self):
        self.assertEqual(run.percentile([5, 1, 3, 2, 4], 50), 3)
        self.assertEqual(run.percentile(list(range(1, 11)), 99), 10)
        self.assertEqual(run.percentile(list(range(1, 201)), 99), 198)


class QueryRangesTest(unittest.TestCase):
    def test_short_scale_queries_the_whole_step_aligned_range(self):
        start_ms, end_ms = 1_700_000_000_000 - 3600_000 + 123, 1_700_000_000_000 + 7
        (r,) = queries.query_ranges("10k", start_ms, end_ms)
        self.assertEqual(r["name"], "all")
        self.assertEqual(r["step"], 15)
        self.assertEqual(r["end"], 1_700_000_000_000 // 1000 // 15 * 15)
        self.assertGreaterEqual(r["start"] * 1000, start_ms)
        self.assertEqual(r["start"] % 15, 0)

    def test_long_scale_adds_ranges_over_older_data(self):
        end_ms = 1_800_000_000_000
        start_ms = end_ms - 7 * queries.DAY_S * 1000
        rs = {r["name"]: r for r in queries.query_ranges("long", start_ms, end_ms)}
        self.assertEqual(sorted(rs), ["1h_3d_ago", "all", "last_1h", "last_24h"])
        end_s = end_ms // 1000
        self.assertEqual((rs["last_24h"]["end"] - rs["last_24h"]["start"], rs["last_24h"]["step"]), (86400, 300))
        old = rs["1h_3d_ago"]
        self.assertEqual(old["end"] - old["start"], 3600)
        self.assertLessEqual(old["end"], end_s - 3 * queries.DAY_S)
        self.assertEqual(rs["all"]["step"], 2520)
        for r in rs.values():
            self.assertGreaterEqual(r["start"] * 1000, start_ms)
            self.assertLessEqual(r["end"] * 1000, end_ms)
            self.assertEqual(r["start"] % r["step"], 0)

    def test_short_long_run_queries_only_its_whole_range(self):
        self.assertEqual(len(queries.query_ranges("long", 0, 2 * queries.DAY_S * 1000)), 1)


class RenderTest(unittest.TestCase):
    def test_one_table_per_range_with_each_ranges_results(self):
        ranges = [{"name": "last_1h", "what": "last hour", "start": 0, "end": 3600, "step": 15},
                  {"name": "all", "what": "whole 7 d of data", "start": 0, "end": 604800, "step": 2520}]
        first = queries.QUERIES[0]["name"]
        send = {"samples_ok": 1000, "samples_rejected": 0, "first_error": ""}
        res = {
            "prometheus": {"send": send, "samples_stored": 1000, "queries": {
                queries.key(first, "last_1h"): {"median_s": 0.002, "p99_s": 0.003, "series": 4},
                queries.key(first, "all"): {"median_s": 0.5, "p99_s": 0.6, "series": 4}}},
            "tidemark": {"send": send, "samples_stored": 990, "disk_bytes": 1 << 20, "queries": {
                queries.key(first, "all"): {"median_s": 0.25, "p99_s": 0.3, "check": None}},
                "disk_notes": {"flush_call": "admin/tsdb/compact", "flush_s": 2.0, "compact_cpu_s": 1.5,
                               "compact_status": 404, "compact_error": "not found", "stop_s": 0.5,
                               "parts": {"000001.sst": 1 << 20}, "what": "RocksDB dir"}},
        }
        run_rec = {"scale": "long", "series": 1000, "duration_s": 7 * 86400, "samples": 1000,
                   "date_utc": "d", "command": "c", "note": "", "repeats": 5, "query_ranges": ranges,
                   "machine": {"nproc": 2, "cpu": "x", "ram_gib": 1, "kernel": "k", "loadavg_at_start": [1.0]},
                   "versions": {"prometheus": "p", "victoriametrics": "v"},
                   "gen": {"batches": 1, "file_bytes": 1, "raw_bytes": 1}, "results": res}
        text = results_md.render(run_rec)
        self.assertIn("last hour: range 3600 s, step 15 s", text)
        self.assertIn("whole 7 d of data: range 604800 s, step 2520 s", text)
        rows = [line for line in text.splitlines() if line.startswith(f"| `{first}`")]
        self.assertEqual(len(rows), 2)
        self.assertIn("2.0 / 3.0", rows[0])
        self.assertIn("| 500.0 / 600.0 | n/a | 250.0 / 300.0 | 0.50× |", rows[1])
        self.assertIn("Stored sample counts differing from the 1,000 generated: Tidemark: 990.", text)
        self.assertIn("`admin/tsdb/compact` took 2.0 s (1.5 server CPU s); the compaction call answered 404", text)


class RunToolTest(unittest.TestCase):
    def test_reports_output_and_the_childs_own_cpu_and_rss(self):
        out, err, cpu_s, rss = run.run_tool(
            [sys.executable, "-c", "import sys; b = bytearray(64 << 20); print('hi'); print('e', file=sys.stderr)"],
            timeout=60)
        self.assertEqual((out, err), ("hi\n", "e\n"))
        self.assertGreaterEqual(rss, 64 << 20)
        self.assertGreaterEqual(cpu_s, 0.0)

    def test_times_out(self):
        with self.assertRaises(subprocess.TimeoutExpired):
            run.run_tool([sys.executable, "-c", "import time; time.sleep(30)"], timeout=0.5)


class UpdateFileTest(unittest.TestCase):
    def test_replaces_only_its_scale_inside_its_section(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "RESULTS.md")
            with open(path, "w") as f:
                f.write("# Results\n\n## Storage\n\nkeep me\n")
            results_md.update_file(path, {"scale": "10k"}, "### run A\n<!-- e2e:10k -->\nfirst\n")
            results_md.update_file(path, {"scale": "long"}, "### run L\n<!-- e2e:long -->\nlong\n")
            results_md.update_file(path, {"scale": "10k"}, "### run B\n<!-- e2e:10k -->\nsecond\n")
            with open(path) as f:
                text = f.read()
        self.assertIn("## Storage\n\nkeep me\n", text)
        self.assertNotIn("first", text)
        self.assertLess(text.index("second"), text.index("long"))
        self.assertEqual(text.count(results_md.SECTION), 1)


if __name__ == "__main__":
    unittest.main()

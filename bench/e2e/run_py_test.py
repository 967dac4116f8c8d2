"""Unit tests of the benchmark script's pure parts: result comparison, percentiles, RESULTS.md editing."""

import os
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


class UpdateFileTest(unittest.TestCase):
    def test_replaces_only_its_scale_inside_its_section(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "RESULTS.md")
            with open(path, "w") as f:
                f.write("# Results\n\n## Storage\n\nkeep me\n")
            results_md.update_file(path, {"scale": "10k"}, "### run A\n<!-- e2e:10k -->\nfirst\n")
            results_md.update_file(path, {"scale": "long"}, "### run L\n<!-- e2e:long -->\nlong\n")
            results_md.update_file(path, {"scale": "10k"}, "### run B\n<!-- e2e:10k -->\nsecond\n")
            text = open(path).read()
        self.assertIn("## Storage\n\nkeep me\n", text)
        self.assertNotIn("first", text)
        self.assertLess(text.index("second"), text.index("long"))
        self.assertEqual(text.count(results_md.SECTION), 1)


if __name__ == "__main__":
    unittest.main()

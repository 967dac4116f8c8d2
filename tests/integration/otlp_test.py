"""Real-sender test: the OpenTelemetry JS SDK exports a counter, an up-down counter, a gauge and a
histogram through both OTLP exporters (protobuf and JSON) to Tidemark's OTLP port, once with
cumulative and once with delta temporality (two exports that Tidemark must add up); the
Prometheus series names, labels and values Tidemark stores must be exactly the expected ones."""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
import tmtest  # noqa: E402

OTEL_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "otel")


def instance(kind, temporality):
    return f"inst-{kind}-delta" if temporality == "delta" else f"inst-{kind}"


def expected(kind, temporality):
    job = "tm/otel-it"
    base = {"job": job, "instance": instance(kind, temporality)}

    def s(name, value, **labels):
        return (tuple(sorted({"__name__": name, **base, **labels}.items())), value)

    if temporality == "delta":
        # Two exports: the second adds 3 requests on /a, 1 to the queue (up-down counters stay
        # cumulative), a new temperature and one more 5 ms latency.
        return sorted([
            s("it_requests_total", 8.0, route="/a"),
            s("it_requests_total", 2.0, route="/b"),
            s("it_queue_depth", 8.0, queue="q1"),
            s("it_temperature_celsius", 22.5, room="lab"),
            s("it_latency_milliseconds_bucket", 2.0, route="/a", le="10"),
            s("it_latency_milliseconds_bucket", 3.0, route="/a", le="100"),
            s("it_latency_milliseconds_bucket", 4.0, route="/a", le="+Inf"),
            s("it_latency_milliseconds_sum", 560.0, route="/a"),
            s("it_latency_milliseconds_count", 4.0, route="/a"),
        ])
    return sorted([
        s("it_requests_total", 5.0, route="/a"),
        s("it_requests_total", 2.0, route="/b"),
        s("it_queue_depth", 7.0, queue="q1"),
        s("it_temperature_celsius", 21.5, room="lab"),
        s("it_latency_milliseconds_bucket", 1.0, route="/a", le="10"),
        s("it_latency_milliseconds_bucket", 2.0, route="/a", le="100"),
        s("it_latency_milliseconds_bucket", 3.0, route="/a", le="+Inf"),
        s("it_latency_milliseconds_sum", 555.0, route="/a"),
        s("it_latency_milliseconds_count", 3.0, route="/a"),
    ])


def stored(tm, inst):
    q = f'{{__name__=~"it_.+", instance="{inst}"}}'
    status, body = tmtest.get_json(tm.url + "/api/v1/query", {"query": q})
    assert status == 200, (status, body)
    return sorted((tuple(sorted(r["metric"].items())), float(r["value"][1])) for r in body["data"]["result"])


def target_info(tm, kind):
    status, body = tmtest.get_json(tm.url + "/api/v1/series",
                                   {"match[]": f'target_info{{instance="inst-{kind}"}}'})
    assert status == 200, (status, body)
    return body["data"]


def main():
    tmtest.npm_install(OTEL_DIR, "@opentelemetry/sdk-metrics")
    tm = tmtest.Tidemark()
    failures = []
    for kind, temporality in (("proto", "cumulative"), ("json", "cumulative"),
                              ("proto", "delta"), ("json", "delta")):
        tag = f"{kind}/{temporality}"
        p = subprocess.run(["node", "send.js", kind, tm.otlp_url + "/v1/metrics", temporality],
                           cwd=OTEL_DIR, capture_output=True, text=True, timeout=120)
        if p.returncode != 0 or "export failed" in p.stderr.lower():
            failures.append(f"{tag}: sender failed: {p.stdout}{p.stderr}")
            continue
        want = expected(kind, temporality)
        got = []
        for _ in range(20):
            got = stored(tm, instance(kind, temporality))
            if got == want:
                break
            time.sleep(0.5)
        if got != want:
            failures.append(f"{tag}: stored series differ\n  want={want}\n  got ={got}\n  sender: {p.stderr}")
        else:
            print(f"ok: {tag}: {len(got)} series exactly as expected")
        if temporality == "delta":
            continue
        ti = target_info(tm, kind)
        if len(ti) != 1 or ti[0].get("deployment_environment") != "test" or ti[0].get("job") != "tm/otel-it":
            failures.append(f"{kind}: target_info wrong: {ti}")
    # Metadata from OTLP descriptions.
    status, md = tmtest.get_json(tm.url + "/api/v1/metadata", {"metric": "it_requests_total"})
    if status != 200 or md["data"].get("it_requests_total", [{}])[0].get("type") != "counter":
        failures.append(f"metadata for it_requests_total wrong: {status} {md}")
    tmtest.exit_on_failures(failures, tm)
    print("PASS")


if __name__ == "__main__":
    main()

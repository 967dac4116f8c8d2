// Records a counter, an up-down counter, a gauge and a histogram with attributes and a resource,
// and exports them once to the OTLP endpoint given on the command line. With `delta`, the
// exporter prefers delta temporality and a second round of measurements is exported after the
// first (the receiver must add the two exports up).
// Usage: node send.js <proto|json> <http://127.0.0.1:PORT/v1/metrics> [cumulative|delta]
'use strict';

const { MeterProvider, PeriodicExportingMetricReader } = require('@opentelemetry/sdk-metrics');
const { resourceFromAttributes } = require('@opentelemetry/resources');

async function main() {
  const [kind, url, temporality = 'cumulative'] = process.argv.slice(2);
  const { AggregationTemporalityPreference } = require('@opentelemetry/exporter-metrics-otlp-http');
  const temporalityPreference = temporality === 'delta'
    ? AggregationTemporalityPreference.DELTA
    : AggregationTemporalityPreference.CUMULATIVE;
  let exporter;
  if (kind === 'proto') {
    const { OTLPMetricExporter } = require('@opentelemetry/exporter-metrics-otlp-proto');
    exporter = new OTLPMetricExporter({ url, temporalityPreference });
  } else if (kind === 'json') {
    const { OTLPMetricExporter } = require('@opentelemetry/exporter-metrics-otlp-http');
    exporter = new OTLPMetricExporter({ url, temporalityPreference });
  } else {
    throw new Error('first argument must be proto or json');
  }
  const resource = resourceFromAttributes({
    'service.name': 'otel-it',
    'service.namespace': 'tm',
    'service.instance.id': temporality === 'delta' ? `inst-${kind}-delta` : `inst-${kind}`,
    'deployment.environment': 'test',
  });
  // A long interval: the only export is the explicit forceFlush below.
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3600000 });
  const provider = new MeterProvider({ resource, readers: [reader] });
  const meter = provider.getMeter('tidemark-it', '1.0.0');

  const requests = meter.createCounter('it.requests', { unit: '{request}', description: 'Requests handled' });
  requests.add(5, { route: '/a' });
  requests.add(2, { route: '/b' });

  const depth = meter.createUpDownCounter('it.queue.depth', { description: 'Items queued' });
  depth.add(10, { queue: 'q1' });
  depth.add(-3, { queue: 'q1' });

  const temperature = meter.createGauge('it.temperature', { unit: 'Cel', description: 'Room temperature' });
  temperature.record(21.5, { room: 'lab' });

  const latency = meter.createHistogram('it.latency', {
    unit: 'ms',
    description: 'Latency',
    advice: { explicitBucketBoundaries: [10, 100] },
  });
  for (const v of [5, 50, 500]) latency.record(v, { route: '/a' });

  await provider.forceFlush();
  if (temporality === 'delta') {
    // Second interval: only what changed since the first export is sent as deltas.
    await new Promise((resolve) => setTimeout(resolve, 50));
    requests.add(3, { route: '/a' });
    depth.add(1, { queue: 'q1' });
    temperature.record(22.5, { room: 'lab' });
    latency.record(5, { route: '/a' });
    await provider.forceFlush();
  }
  await provider.shutdown();
  console.log(`exported via ${kind} (${temporality})`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

// Records a counter, an up-down counter, a gauge and a histogram with attributes and a resource,
// and exports them once to the OTLP endpoint given on the command line.
// Usage: node send.js <proto|json> <http://127.0.0.1:PORT/v1/metrics>
'use strict';

const { MeterProvider, PeriodicExportingMetricReader } = require('@opentelemetry/sdk-metrics');
const { resourceFromAttributes } = require('@opentelemetry/resources');

async function main() {
  const [kind, url] = process.argv.slice(2);
  let exporter;
  if (kind === 'proto') {
    const { OTLPMetricExporter } = require('@opentelemetry/exporter-metrics-otlp-proto');
    exporter = new OTLPMetricExporter({ url });
  } else if (kind === 'json') {
    const { OTLPMetricExporter } = require('@opentelemetry/exporter-metrics-otlp-http');
    exporter = new OTLPMetricExporter({ url });
  } else {
    throw new Error('first argument must be proto or json');
  }
  const resource = resourceFromAttributes({
    'service.name': 'otel-it',
    'service.namespace': 'tm',
    'service.instance.id': `inst-${kind}`,
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
  await provider.shutdown();
  console.log(`exported via ${kind}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

// Serves fixed metrics on 127.0.0.1:<port>/metrics through the OpenTelemetry JS SDK's Prometheus
// exporter (the workflow hub's port-9464 style), for Tidemark and Prometheus to scrape.
'use strict';
const { MeterProvider } = require('@opentelemetry/sdk-metrics');
const { PrometheusExporter } = require('@opentelemetry/exporter-prometheus');
const { resourceFromAttributes } = require('@opentelemetry/resources');

const port = parseInt(process.argv[2], 10);
const exporter = new PrometheusExporter({ host: '127.0.0.1', port }, () => {
  console.log(`listening on 127.0.0.1:${port}`);
});
const provider = new MeterProvider({
  resource: resourceFromAttributes({ 'service.name': 'workflow-hub', 'service.version': '1.2.3' }),
  readers: [exporter],
});
const meter = provider.getMeter('scrape-it');
// Values never change after start, so every scrape sees the same numbers.
const runs = meter.createCounter('workflow_runs', { description: 'Workflow runs.', unit: '1' });
runs.add(7, { workflow: 'build', status: 'ok' });
runs.add(2, { workflow: 'deploy', status: 'failed' });
const latency = meter.createHistogram('step_latency', { description: 'Step latency.', unit: 's' });
for (const v of [0.004, 0.02, 0.02, 0.3, 2.5]) latency.record(v, { step: 'checkout' });
meter.createObservableGauge('queue_depth', { description: 'Queued workflows.' })
  .addCallback((r) => r.observe(12, { queue: 'default' }));
// The exporter's server does not keep the process alive by itself.
setInterval(() => {}, 1 << 30);

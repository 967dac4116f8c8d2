// OpenTelemetry set-up: the meter provider exporting OTLP/protobuf and the hub's instruments.
'use strict';

const os = require('node:os');
const { MeterProvider, PeriodicExportingMetricReader } = require('@opentelemetry/sdk-metrics');
const { OTLPMetricExporter } = require('@opentelemetry/exporter-metrics-otlp-proto');
const { resourceFromAttributes } = require('@opentelemetry/resources');
const { version } = require('../package.json');

// Bucket boundaries (seconds). The workflow buckets hold 10 s, the latency SLO's threshold, so
// "runs under 10 s" is an exact bucket count rather than an interpolation.
const BUCKETS = {
  workflow: [0.5, 1, 2, 3, 5, 7.5, 10, 15, 20, 30, 60, 120, 300],
  approval: [10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14400],
  agent: [0.1, 0.25, 0.5, 1, 2, 3, 5, 7.5, 10, 15, 20, 30, 60],
  // OpenTelemetry's semantic-convention advice for HTTP and database durations.
  http: [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10],
  db: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10],
};

function startTelemetry({ otlpUrl, exportIntervalMillis }) {
  const resource = resourceFromAttributes({
    'service.name': 'workflow-hub',
    'service.version': version,
    // Stable across restarts, so a restarted process continues the same series.
    'service.instance.id': os.hostname(),
  });
  const reader = new PeriodicExportingMetricReader({
    exporter: new OTLPMetricExporter({ url: otlpUrl }),
    exportIntervalMillis,
    exportTimeoutMillis: Math.min(exportIntervalMillis, 10000),
  });
  const provider = new MeterProvider({ resource, readers: [reader] });
  const meter = provider.getMeter('workflow-hub', version);
  const histogram = (name, description, buckets) =>
    meter.createHistogram(name, { description, unit: 's', advice: { explicitBucketBoundaries: buckets } });

  const instruments = {
    workflowRuns: meter.createCounter('workflow.runs', { description: 'Workflow runs finished' }),
    workflowDuration: histogram('workflow.duration', 'Execution time of a workflow run (approval waits excluded)', BUCKETS.workflow),
    workflowsActive: meter.createUpDownCounter('workflows.active', { description: 'Workflow runs in progress' }),
    approvalWait: histogram('workflow.approval_wait_time', 'Time a run waited for a human approval', BUCKETS.approval),
    agentRuns: meter.createCounter('agent.runs', { description: 'Agent invocations, retries included' }),
    agentDuration: histogram('agent.duration', 'Duration of one agent invocation', BUCKETS.agent),
    agentErrors: meter.createCounter('agent.errors', { description: 'Agent invocations that failed' }),
    agentRetries: meter.createCounter('agent.retries', { description: 'Agent invocations that were retries of a failed one' }),
    httpDuration: histogram('http.server.request.duration', 'Duration of HTTP server requests', BUCKETS.http),
    dbDuration: histogram('db.client.operation.duration', 'Duration of database client operations', BUCKETS.db),
  };
  return { provider, meter, instruments };
}

module.exports = { startTelemetry, BUCKETS };

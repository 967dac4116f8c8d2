// Entry point of the workflow-hub simulator: starts telemetry and the hub, and shuts down cleanly
// (stop traffic, flush the last export) on SIGTERM/SIGINT or after --duration.
'use strict';

const { parseCli } = require('./cli');
const { startTelemetry } = require('./telemetry');
const { startRuntimeMetrics } = require('./runtime');
const { Hub } = require('./hub');

async function main() {
  let opts;
  try {
    opts = parseCli(process.argv.slice(2));
  } catch (e) {
    console.error(`workflow-hub: ${e.message}`);
    process.exit(2);
  }
  if (opts.help) {
    process.stdout.write(opts.help);
    return;
  }
  const { provider, meter, instruments } = startTelemetry(opts);
  const stopRuntime = startRuntimeMetrics(meter, opts.faults);
  const hub = new Hub(instruments, opts.faults);
  hub.start();
  const faults = [...opts.faults].join(',') || 'none';
  console.log(`workflow-hub: exporting to ${opts.otlpUrl} every ${opts.exportIntervalMillis / 1000} s; faults: ${faults}`);

  let stopping = false;
  const shutdown = async (why) => {
    if (stopping) return;
    stopping = true;
    hub.stop();
    stopRuntime();
    try {
      await provider.shutdown();  // exports what was recorded since the last export
      console.log(`workflow-hub: stopped (${why}), metrics flushed`);
      process.exit(0);
    } catch (e) {
      console.error(`workflow-hub: final export failed: ${e.message}`);
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  if (opts.durationSeconds !== null) setTimeout(() => shutdown('duration elapsed'), opts.durationSeconds * 1000);
}

main();

// The Node.js runtime gauges (V8 heap, event-loop delay p99) and the heap/lag faults.
'use strict';

const v8 = require('node:v8');
const { monitorEventLoopDelay } = require('node:perf_hooks');

const LAG_BLOCK_MS = 150;     // each block delays the loop by this much ...
const LAG_EVERY_MS = 500;     // ... this often: ~3 % of delay samples, so p99 ~150 ms, ~30 % of a core
const LEAK_TARGET = 0.9;      // the heap fault's simulated usage, as a share of the heap limit
const LEAK_RAMP_MS = 10000;   // time the simulated leak takes to reach it

function busyWait(ms) {
  const until = Date.now() + ms;
  while (Date.now() < until) { /* blocks the event loop on purpose */ }
}

// Registers the gauges on `meter`; returns a stop function.
function startRuntimeMetrics(meter, faults) {
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const started = Date.now();
  const heapUsed = meter.createObservableGauge('v8js.memory.heap.used', { description: 'V8 heap in use', unit: 'By' });
  const heapLimit = meter.createObservableGauge('v8js.memory.heap.limit', { description: 'V8 heap size limit', unit: 'By' });
  const delayP99 = meter.createObservableGauge('nodejs.eventloop.delay.p99', {
    description: '99th percentile of event-loop delay since the previous export', unit: 's',
  });
  // One callback for the three gauges: the loop histogram is read and reset once per export.
  const observe = (result) => {
    const heap = v8.getHeapStatistics();
    let used = heap.used_heap_size;
    if (faults.has('heap')) {
      // Simulated leak: a real one this size would risk the host, not just this process.
      const ramp = Math.min(1, (Date.now() - started) / LEAK_RAMP_MS);
      used = Math.max(used, used + ramp * (LEAK_TARGET * heap.heap_size_limit - used));
    }
    result.observe(heapUsed, used);
    result.observe(heapLimit, heap.heap_size_limit);
    if (loop.count > 0) result.observe(delayP99, loop.percentile(99) / 1e9);
    loop.reset();
  };
  meter.addBatchObservableCallback(observe, [heapUsed, heapLimit, delayP99]);

  const lagTimer = faults.has('lag') ? setInterval(() => busyWait(LAG_BLOCK_MS), LAG_EVERY_MS) : null;
  // The gauges stay registered so the final export at shutdown still carries them.
  return () => {
    if (lagTimer) clearInterval(lagTimer);
  };
}

module.exports = { startRuntimeMetrics };

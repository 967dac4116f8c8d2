// Command-line options of the workflow-hub simulator.
'use strict';

const { parseArgs } = require('node:util');

const FAULTS = ['error', 'slow', 'agents', 'heap', 'lag'];

const USAGE = `usage: node src/main.js [--otlp URL] [--fault NAME[,NAME...]]... [--duration SECONDS]

  --otlp URL          OTLP/HTTP metrics endpoint (default http://127.0.0.1:4318/v1/metrics)
  --fault NAME        inject a fault; repeat or comma-separate to combine:
                        error   85 % of database updates fail: most workflow runs fail
                                saving their result, the approval API answers 503
                        slow    every workflow run takes 11-15 s (a slow model provider)
                        agents  a fifth of agent calls fail (retries mostly recover them)
                        heap    the reported V8 heap climbs to ~90 % of its limit (simulated)
                        lag     the event loop is blocked for 150 ms every 500 ms (real)
  --duration SECONDS  exit (after a final export) once this many seconds have passed
  --export-interval MS
                      how often metrics are exported (default 5000)
`;

function parseCli(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      otlp: { type: 'string', default: 'http://127.0.0.1:4318/v1/metrics' },
      fault: { type: 'string', multiple: true, default: [] },
      duration: { type: 'string' },
      'export-interval': { type: 'string', default: '5000' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) return { help: USAGE };
  const faults = new Set();
  for (const f of values.fault.flatMap((v) => v.split(','))) {
    const name = f.trim();
    if (!name) continue;
    if (!FAULTS.includes(name)) throw new Error(`unknown fault "${name}" (known: ${FAULTS.join(', ')})`);
    faults.add(name);
  }
  const number = (name, v) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, got "${v}"`);
    return n;
  };
  return {
    otlpUrl: values.otlp,
    faults,
    durationSeconds: values.duration === undefined ? null : number('duration', values.duration),
    exportIntervalMillis: number('export-interval', values['export-interval']),
  };
}

module.exports = { parseCli, USAGE };

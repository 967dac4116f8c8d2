// A small fake exporter for the scrape benchmark: every path answers the same text-format page of
// <series> series (counters and gauges over a few label sets), regenerated once a second so that
// values move, gzipped once per generation for clients that accept it.
'use strict';
const http = require('http');
const zlib = require('zlib');

const port = parseInt(process.argv[2], 10);
const series = parseInt(process.argv[3] || '1000', 10);
let plain = Buffer.alloc(0);
let gz = Buffer.alloc(0);
let tick = 0;

function generate() {
  tick++;
  const lines = [];
  const perFamily = 50;
  for (let i = 0; i < series; i++) {
    const fam = Math.floor(i / perFamily);
    const counter = fam % 2 === 0;
    const name = counter ? `bench_requests_${fam}_total` : `bench_gauge_${fam}`;
    if (i % perFamily === 0) {
      lines.push(`# HELP ${name} Benchmark family ${fam}.`);
      lines.push(`# TYPE ${name} ${counter ? 'counter' : 'gauge'}`);
    }
    const k = i % perFamily;
    const labels = `{handler="/api/v${k % 5}/item",code="${200 + (k % 10)}",pod="pod-${k}"}`;
    const v = counter ? tick * (k + 1) : ((tick * 7 + k * 13) % 1000) / 10;
    lines.push(`${name}${labels} ${v}`);
  }
  plain = Buffer.from(lines.join('\n') + '\n');
  gz = zlib.gzipSync(plain);
}
generate();
setInterval(generate, 1000);

http.createServer((req, res) => {
  const useGzip = /gzip/.test(req.headers['accept-encoding'] || '');
  const headers = { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' };
  if (useGzip) headers['Content-Encoding'] = 'gzip';
  res.writeHead(200, headers);
  res.end(useGzip ? gz : plain);
}).listen(port, '127.0.0.1', () => console.log(`fake exporter on 127.0.0.1:${port}, ${series} series`));

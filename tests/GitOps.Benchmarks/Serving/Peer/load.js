// Drives one server with autocannon for the serving-peer benchmark and prints autocannon's result as JSON on
// stdout. The request bodies (one row each) rotate on every connection. autocannon's latency histogram holds whole
// milliseconds; the exact response times it measures (hrtime, in ms) are kept too, as `exact: {p50, p99}`.
//
//   node load.js URL BODIES.json CONNECTIONS SECONDS
'use strict';
const fs = require('fs');
const autocannon = require('autocannon');

const [url, bodiesFile, connections, seconds] = process.argv.slice(2);
const bodies = JSON.parse(fs.readFileSync(bodiesFile, 'utf8'));
const requests = bodies.map((body) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body }));

const times = [];
const percentile = (sorted, p) => (sorted.length === 0 ? null : sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]);
const instance = autocannon({ url, connections: Number(connections), duration: Number(seconds), pipelining: 1, requests, timeout: 30 },
  (error, result) => {
    if (error) {
      console.error(error);
      process.exit(1);
    }
    times.sort((a, b) => a - b);
    result.exact = { p50: percentile(times, 0.5), p99: percentile(times, 0.99), count: times.length };
    process.stdout.write(JSON.stringify(result));
  });
instance.on('response', (client, statusCode, bytes, responseTime) => times.push(responseTime));

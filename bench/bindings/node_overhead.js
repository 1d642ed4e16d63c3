#!/usr/bin/env node
'use strict';
// The Node package's overhead per feed() and per event, against the C API
// doing the same work in the same run (streamexec-bench --feed-cost): FILE
// cut into 4-byte pieces, fed into a chunk-only session, then every event
// taken. Usage: node_overhead.js STREAMEXEC_BENCH FILE [REPS]
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');
const { Session } = require(path.join(__dirname, '..', '..', 'bindings', 'node'));

(async () => {
  const [bench, file, repsArg] = process.argv.slice(2);
  const reps = Number(repsArg || 5);
  const text = fs.readFileSync(file);
  const pieces = [];
  for (let i = 0; i < text.length; i += 4) pieces.push(text.subarray(i, i + 4));
  let bestFeed = Infinity, bestEvent = Infinity, nEvents = 0;
  for (let r = 0; r < reps; r++) {
    const s = new Session({ execute: false });
    let t0 = process.hrtime.bigint();
    for (const p of pieces) s.feed(p);
    const feedUs = Number(process.hrtime.bigint() - t0) / 1e3 / pieces.length;
    await s.finish();
    // Every event, one nextEvent promise each (the async iterator's path).
    t0 = process.hrtime.bigint();
    let n = 0;
    for await (const ev of s.events()) { n += ev ? 1 : 0; }
    const eventUs = Number(process.hrtime.bigint() - t0) / 1e3 / Math.max(1, n);
    s.close();
    nEvents = n;
    bestFeed = Math.min(bestFeed, feedUs);
    bestEvent = Math.min(bestEvent, eventUs);
  }
  const c = JSON.parse(execFileSync(bench, ['--feed-cost', file], { encoding: 'utf8' }));
  console.log(`## Node package overhead (${file}: ${pieces.length} pieces of 4 bytes, ${nEvents} events; best of ${reps})`);
  console.log('| | C API | Node | overhead |\n|---|---|---|---|');
  console.log(`| per feed() | ${c.us_per_feed.toFixed(2)} µs | ${bestFeed.toFixed(2)} µs | ${(bestFeed - c.us_per_feed).toFixed(2)} µs |`);
  console.log(`| per event | ${c.us_per_event.toFixed(2)} µs | ${bestEvent.toFixed(2)} µs | ${(bestEvent - c.us_per_event).toFixed(2)} µs |`);
})();

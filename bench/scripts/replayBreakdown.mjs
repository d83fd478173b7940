// Where replay's time goes, per line, over a log held in memory (no I/O): each step of the
// pipeline measured alone, in one process, interleaved, best of ROUNDS (CPU time), so the
// steps are comparable on a busy machine. node replayBreakdown.mjs [FILE [LINES]]; without a
// file, a generated health log of LINES (default 200,000) events.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createFoldBuilder,
  createHealthProjector,
  createLineLocator,
  createSlaTracker,
  createTimelineSummarizer,
  envelopeTime,
  lineRecords,
  packedStrings,
  RECORD_INTS,
} from '@selfheal/events';

import { generateHealthLog } from './generateHealthLog.mjs';

const [given, limit = '200000'] = process.argv.slice(2);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
let file = given;
if (file === undefined) {
  const dir = mkdtempSync(join(tmpdir(), 'selfheal-breakdown-'));
  file = join(dir, 'health.jsonl');
  await generateHealthLog(file, Number(limit));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
}
const whole = readFileSync(file);
let cut = 0;
for (let n = 0; n < Number(limit) && cut < whole.length; n++) cut = whole.indexOf(10, cut) + 1;
const bytes = whole.subarray(0, cut);
const text = bytes.toString('utf8');
const lines = text.split('\n');
lines.pop();
const count = lines.length;
// The log in 1 MiB chunks of whole lines, as the readers cut it, located once for the steps
// that need the records.
const chunks = [];
for (let at = 0; at < bytes.length; ) {
  const last = bytes.lastIndexOf(10, Math.min(at + (1 << 20), bytes.length) - 1);
  chunks.push({ start: at, last, located: lineRecords() });
  at = last + 1;
}
const locator = createLineLocator();
const build = createFoldBuilder();
const folded = [];
for (const { start, last, located } of chunks) {
  locator.locate(bytes, start, last, located);
  const packed = packedStrings(located);
  for (let r = 0; r < located.count; r++) {
    const base = r * RECORD_INTS;
    if (located.records[base + 1] !== 1) continue; // declined: the exact path's, not measured here
    folded.push({ event: build(bytes, located.records, base + 2, packed), ms: located.ms[r] });
  }
}
const parsed = lines.map((l) => JSON.parse(l));

let sink = 0;
const steps = {
  'split: indexOf(\\n) on bytes': () => {
    for (let at = 0; at < bytes.length; ) at = bytes.indexOf(10, at) + 1;
  },
  'decode: utf8 of the chunk, split on \\n': () => {
    for (let at = 0; at < bytes.length; at += 1 << 20) {
      const chunk = bytes.toString('utf8', at, Math.min(at + (1 << 20), bytes.length));
      for (let from = 0; ; ) {
        const nl = chunk.indexOf('\n', from);
        if (nl < 0) break;
        sink += chunk.slice(from, nl).length;
        from = nl + 1;
      }
    }
  },
  'JSON.parse': () => {
    for (const line of lines) sink += JSON.parse(line).seq;
  },
  'JSON.parse + envelopeTime': () => {
    for (const line of lines) sink += envelopeTime(JSON.parse(line));
  },
  'envelopeTime alone (parsed objects)': () => {
    for (const event of parsed) sink += envelopeTime(event);
  },
  'locate (WebAssembly: grammar, envelope, timestamp)': () => {
    for (const { start, last, located } of chunks) {
      locator.locate(bytes, start, last, located);
      sink += located.count;
    }
  },
  'build (fold fields from the records)': () => {
    for (const { located } of chunks) {
      const packed = packedStrings(located);
      for (let r = 0; r < located.count; r++) {
        const base = r * RECORD_INTS;
        if (located.records[base + 1] === 1) {
          sink += build(bytes, located.records, base + 2, packed).timestamp.length;
        }
      }
    }
  },
  'order check': () => {
    let last = Number.NEGATIVE_INFINITY;
    for (const { ms } of folded)
      if (ms < last) sink++;
      else last = ms;
  },
  'fold: timeline summary': () => {
    const t = createTimelineSummarizer();
    for (const { event, ms } of folded) t.add(event, ms);
  },
  'fold: projection': () => {
    const p = createHealthProjector();
    for (const { event } of folded) p.apply(event);
  },
  'fold: SLA': () => {
    const s = createSlaTracker();
    for (const { event, ms } of folded) s.add(event, ms);
  },
};

const best = Object.fromEntries(Object.keys(steps).map((k) => [k, Number.POSITIVE_INFINITY]));
for (let r = 0; r < ROUNDS; r++) {
  for (const [name, run] of Object.entries(steps)) {
    const before = process.cpuUsage();
    run();
    const used = process.cpuUsage(before);
    best[name] = Math.min(best[name], ((used.user + used.system) * 1000) / count);
  }
}
console.table(Object.entries(best).map(([step, ns]) => ({ step, 'ns/line': Math.round(ns) })));
console.log(
  `${count.toLocaleString('en-US')} lines of ${file}, best of ${ROUNDS} rounds (CPU time)`,
);
if (sink === 42) console.log('');

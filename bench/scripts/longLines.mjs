// Time to read one long line (a large tool result, or a large argument) as it arrives in 64 KiB
// reads, through the three readers that split a stream into messages: the monitor's stdio
// stream transport (a stdio server's newline-delimited JSON-RPC), the gateway's event-stream
// parser (an SSE `data:` line of a Streamable HTTP answer) and the line guard of `selfheal
// stdio` (a client's requests on stdin). Each keeps the chunks of an unfinished line and joins
// them once, when its newline comes; all three had joined and searched the line again on every
// read, quadratic in its length. Figures, not assertions.
// `node scripts/longLines.mjs [monitor/dist/index.js gateway/dist]` measures other builds (e.g.
// the main branch's) for a before/after.
import { dirname, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { median } from '../src/stats.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const [monitorPath, gatewayDist = resolve(here, '../../apps/gateway/dist')] = process.argv.slice(2);
const { createStreamTransport } = await import(
  monitorPath === undefined ? '@selfheal/monitor' : pathToFileURL(monitorPath).href
);
const { createSseParser } = await import(
  pathToFileURL(resolve(gatewayDist, 'upstream/sseParser.js')).href
);
const { createLineGuard, MAX_LINE_BYTES } = await import(
  pathToFileURL(resolve(gatewayDist, 'stdioServer.js')).href
);

const CHUNK = 64 * 1024;
const RUNS = 5;

/** One JSON-RPC answer of `mib` MiB as one line, and the text it carries. */
function answer(mib) {
  const text = 'x'.repeat(Math.round(mib * 1024 * 1024));
  return {
    text,
    json: JSON.stringify({ jsonrpc: '2.0', id: 1, result: { content: [{ type: 'text', text }] } }),
  };
}

/** Feeds `whole` to `feed` in CHUNK pieces; milliseconds taken. */
function fed(whole, feed) {
  const started = performance.now();
  for (let at = 0; at < whole.length; at += CHUNK) feed(whole.subarray(at, at + CHUNK));
  return performance.now() - started;
}

async function stdio({ json, text }) {
  const output = new PassThrough();
  const transport = createStreamTransport(output, new PassThrough());
  let delivered;
  transport.onmessage = (message) => {
    delivered = message;
  };
  await transport.start();
  const ms = fed(Buffer.from(`${json}\n`), (chunk) => output.emit('data', chunk));
  await transport.close();
  if (delivered?.result?.content?.[0]?.text !== text) throw new Error('stdio: not read whole');
  return ms;
}

async function sse({ json, text }) {
  let delivered;
  const parse = createSseParser((event) => {
    delivered = event.data;
  });
  // As the HTTP client reads it: text, cut where the reads fall (setEncoding keeps characters whole).
  const ms = fed(Buffer.from(`id: 1\nevent: message\ndata: ${json}\n\n`), (chunk) =>
    parse(chunk.toString('latin1')),
  );
  if (JSON.parse(delivered).result.content[0].text !== text) throw new Error('sse: not read whole');
  return ms;
}

async function stdin({ json, text }) {
  const guard = createLineGuard(new PassThrough());
  let passed = '';
  guard.on('data', (chunk) => {
    passed += chunk;
  });
  const ms = fed(Buffer.from(`${json}\n`), (chunk) => guard.write(chunk));
  await new Promise((done) => setImmediate(done));
  if (JSON.parse(passed).result.content[0].text !== text) throw new Error('stdin: not read whole');
  return ms;
}

console.log(`\none long line, in ${CHUNK / 1024} KiB reads, median of ${RUNS} (ms)`);
console.log('| line | reads | stdio transport | event-stream parser | stdin line guard |');
console.log('|---:|---:|---:|---:|---:|');
// The line guard refuses a line over 4 MiB: no figure of its own past that.
for (const mib of [1, 3.9, 9]) {
  const line = answer(mib);
  const row = [];
  for (const reader of [stdio, sse, stdin]) {
    if (reader === stdin && line.json.length >= MAX_LINE_BYTES) {
      row.push('-');
      continue;
    }
    await reader(line); // warm-up
    const runs = [];
    for (let i = 0; i < RUNS; i++) runs.push(await reader(line));
    row.push(median(runs).toFixed(1));
  }
  console.log(`| ${mib} MiB | ${Math.ceil((line.json.length + 1) / CHUNK)} | ${row.join(' | ')} |`);
}

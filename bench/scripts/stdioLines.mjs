// Time to read one long line from a stdio server (a large tool result) through the monitor's
// stream transport, the line arriving in 64 KiB pipe reads: the transport joins a line's chunks
// once, when its newline comes (copying the line once; it had copied it again on every chunk,
// quadratic in its length). Figures, not assertions. `node scripts/stdioLines.mjs
// [path/to/monitor/dist/index.js]` measures another build (e.g. the main branch's) for a
// before/after.
import { PassThrough } from 'node:stream';
import { pathToFileURL } from 'node:url';

const from = process.argv[2];
const { createStreamTransport } = await import(
  from === undefined ? '@selfheal/monitor' : pathToFileURL(from).href
);

const CHUNK = 64 * 1024;
const RUNS = 5;

/** One JSON-RPC answer of `mib` MiB on one line, and the text it carries. */
function answer(mib) {
  const text = 'x'.repeat(mib * 1024 * 1024);
  const line = `${JSON.stringify({ jsonrpc: '2.0', id: 1, result: { content: [{ type: 'text', text }] } })}\n`;
  return { bytes: Buffer.from(line), text };
}

/** Milliseconds from the line's first chunk to its message, for one read. */
async function readOnce({ bytes, text }) {
  const output = new PassThrough();
  const transport = createStreamTransport(output, new PassThrough());
  let delivered;
  transport.onmessage = (message) => {
    delivered = message;
  };
  await transport.start();
  const started = performance.now();
  for (let at = 0; at < bytes.length; at += CHUNK)
    output.emit('data', bytes.subarray(at, at + CHUNK));
  const ms = performance.now() - started;
  if (delivered?.result?.content?.[0]?.text !== text)
    throw new Error('the line was not read whole');
  await transport.close();
  return ms;
}

const median = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1];
console.log(
  `\none line through the stdio stream transport, ${CHUNK / 1024} KiB reads, median of ${RUNS}`,
);
console.log('| line | chunks | ms | MiB/s |');
console.log('|---:|---:|---:|---:|');
for (const mib of [1, 4, 9]) {
  const line = answer(mib);
  await readOnce(line); // warm-up
  const runs = [];
  for (let i = 0; i < RUNS; i++) runs.push(await readOnce(line));
  const ms = median(runs);
  console.log(
    `| ${mib} MiB | ${Math.ceil(line.bytes.length / CHUNK)} | ${ms.toFixed(1)} | ${((line.bytes.length / 1048576 / ms) * 1000).toFixed(0)} |`,
  );
}

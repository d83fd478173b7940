// Worker of replayOnce.mjs's parallel modes: reads the byte range [start, end) of a log (both on
// line starts), JSON.parse and the envelope check per line, like readLog. With `transfer`, it
// posts the fields the replay fold reads, flat, in batches of one chunk; else counts only.
import { open } from 'node:fs/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { envelopeTime } from '@selfheal/events';

const { file, start, end, transfer } = workerData;
const FIELDS = ['event_type', 'timestamp', 'trace_id', 'repo', 'server_name', 'status'];
const handle = await open(file, 'r');
const buffer = Buffer.allocUnsafe(1 << 20);
let kept = 0;
let at = start;
let events = 0;
for (;;) {
  const want = Math.min(buffer.length - kept, end - at);
  const { bytesRead } = want > 0 ? await handle.read(buffer, kept, want, at) : { bytesRead: 0 };
  at += bytesRead;
  const stop = kept + bytesRead;
  const last = bytesRead === 0 ? stop : buffer.lastIndexOf(10, stop - 1);
  if (last <= 0) break;
  const text = buffer.toString('utf8', 0, last);
  const batch = [];
  let from = 0;
  for (;;) {
    const nl = text.indexOf('\n', from);
    const piece = nl < 0 ? text.slice(from) : text.slice(from, nl);
    if (piece !== '') {
      const event = JSON.parse(piece);
      const ms = envelopeTime(event);
      if (typeof ms === 'number') {
        events++;
        if (transfer) {
          for (const f of FIELDS) batch.push(event[f]);
          batch.push(event.response_time_ms, event.error, ms);
        }
      }
    }
    if (nl < 0) break;
    from = nl + 1;
  }
  if (transfer) parentPort.postMessage(batch);
  buffer.copy(buffer, 0, last + 1, stop);
  kept = stop - last - 1;
  if (bytesRead === 0) break;
}
await handle.close();
parentPort.postMessage({ events });

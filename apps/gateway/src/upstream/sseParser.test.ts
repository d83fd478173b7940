import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSseParser, type SseEvent } from './sseParser.js';

function parseAll(chunks: string[]): SseEvent[] {
  const events: SseEvent[] = [];
  const push = createSseParser((event) => events.push(event));
  for (const chunk of chunks) push(chunk);
  return events;
}

describe('createSseParser', () => {
  it('reads fields, joins data lines, skips comments and events without data', () => {
    const text =
      ': keepalive\n\nevent: message\nid: 7\ndata: {"a":1}\n\n' +
      'data: line one\r\ndata:line two\r\n\r\nretry: 100\nevent: other\n\n';
    expect(parseAll([text])).toEqual([
      { event: 'message', id: '7', data: '{"a":1}' },
      { event: 'message', id: '7', data: 'line one\nline two' },
    ]);
  });

  it('holds an event until its blank line arrives', () => {
    const events: SseEvent[] = [];
    const push = createSseParser((event) => events.push(event));
    push('data: x\n');
    expect(events).toEqual([]);
    push('\n');
    expect(events).toEqual([{ event: 'message', data: 'x' }]);
  });

  it('gives the same events however the stream is cut into chunks', () => {
    const frame = fc
      .record({
        event: fc.constantFrom('message', 'ping'),
        data: fc.string({ unit: fc.constantFrom('a', 'é', '{', '"', ':', ' ', '🙂') }),
        crlf: fc.boolean(),
      })
      .map(({ event, data, crlf }) => {
        const nl = crlf ? '\r\n' : '\n';
        return { text: `event: ${event}${nl}data: ${data}${nl}${nl}`, event, data };
      });
    fc.assert(
      fc.property(fc.array(frame, { maxLength: 8 }), fc.array(fc.nat()), (frames, cuts) => {
        const text = frames.map((f) => f.text).join('');
        const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((x, y) => x - y);
        const chunks: string[] = [];
        let last = 0;
        for (const p of points) {
          chunks.push(text.slice(last, p));
          last = p;
        }
        chunks.push(text.slice(last));
        expect(parseAll(chunks)).toEqual(frames.map(({ event, data }) => ({ event, data })));
      }),
    );
  });
});

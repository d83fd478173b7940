/** One server-sent event: its `event` type (default `message`), `data` and `id`, if any. */
export interface SseEvent {
  event: string;
  data: string;
  id?: string;
}

/**
 * An incremental `text/event-stream` parser (the WHATWG rules the gateway needs): feed it text
 * in chunks of any size, get each event once its blank line arrives. Lines end with `\n` or
 * `\r\n`; comment lines (`: keepalive`) and `retry:` are skipped; several `data:` lines are
 * joined with `\n`. An event with no `data` line is not reported.
 */
export function createSseParser(onEvent: (event: SseEvent) => void): (chunk: string) => void {
  // The unfinished line, chunk by chunk: joined once, when its newline comes. A large message
  // is one `data:` line over many reads; joining and searching it again on every read was
  // quadratic in its length (RFC 0010, "A long line is read in linear time").
  let pending: string[] = [];
  let event = '';
  let data: string[] = [];
  let id: string | undefined;
  const dispatch = () => {
    if (data.length > 0) {
      const out: SseEvent = { event: event || 'message', data: data.join('\n') };
      if (id !== undefined) out.id = id;
      onEvent(out);
    }
    event = '';
    data = [];
  };
  return (chunk) => {
    let start = 0;
    for (let end = chunk.indexOf('\n'); end >= 0; end = chunk.indexOf('\n', start)) {
      let line = chunk.slice(start, end);
      start = end + 1;
      if (pending.length > 0) {
        pending.push(line);
        line = pending.join('');
        pending = [];
      }
      if (line.endsWith('\r')) line = line.slice(0, -1);
      if (line === '') {
        dispatch();
        continue;
      }
      if (line.charCodeAt(0) === 58 /* ':' */) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.charCodeAt(0) === 32 /* ' ' */) value = value.slice(1);
      if (field === 'data') data.push(value);
      else if (field === 'event') event = value;
      else if (field === 'id' && !value.includes('\0')) id = value;
    }
    if (start < chunk.length) pending.push(start === 0 ? chunk : chunk.slice(start));
  };
}

/**
 * Whether `event` carries no message: MCP servers (2025-11-25, Streamable HTTP) open an SSE
 * stream with an event that has an id and an empty `data` line, to "prime" the client to
 * resume from that id. It is not JSON-RPC and not a protocol violation.
 */
export function isPrimingEvent(event: SseEvent): boolean {
  return event.data === '';
}

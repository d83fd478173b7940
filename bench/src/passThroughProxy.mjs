// The floor for the gateway's p50 over an HTTP upstream: a Node HTTP proxy that does nothing but
// pass each request to the upstream (a keep-alive agent) and its answer back. Two HTTP legs and
// no MCP: what any gateway in Node pays before its own work.
//
//   node passThroughProxy.mjs UPSTREAM_URL [--json]
//
// Plain, it pipes the answer back as it is (headers and SSE body). With `--json` it does the one
// thing of MCP the gateway does for a lone request at the least: it reads the upstream's SSE
// answer up to the request's response and sends that response as plain JSON, so the client
// parses no event stream (the `proxy-json` row: the floor of an MCP gateway that answers as the
// gateway does). Prints `listening on URL`.
import http from 'node:http';
import { createSseReader } from './leanClient.mjs';

const target = new URL(process.argv[2]);
const json = process.argv.includes('--json');
const agent = new http.Agent({ keepAlive: true });

/** Answers `res` with the SSE event of `answer` that is the response to request `id`. */
function answerAsJson(answer, id, res) {
  const read = createSseReader((_event, data) => {
    if (res.headersSent) return;
    const message = JSON.parse(data);
    if (message.id !== id || 'method' in message) return;
    const headers = { 'content-type': 'application/json' };
    const session = answer.headers['mcp-session-id'];
    if (session !== undefined) headers['mcp-session-id'] = session;
    res.writeHead(200, headers);
    res.end(data);
    answer.off('data', read);
    answer.resume();
  });
  answer.setEncoding('utf8');
  answer.on('data', read);
}

http
  .createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const upstream = http.request(
        {
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: req.method,
          headers: { ...req.headers, host: target.host },
          agent,
        },
        (answer) => {
          const sse = answer.headers['content-type']?.startsWith('text/event-stream');
          const id =
            json && sse && req.method === 'POST' ? JSON.parse(body.toString()).id : undefined;
          if (id !== undefined) return answerAsJson(answer, id, res);
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => res.destroy());
      upstream.end(body);
    });
  })
  .listen(0, '127.0.0.1', function () {
    console.log(`listening on http://127.0.0.1:${this.address().port}/mcp`);
  });

// The floor for the gateway's p50 over an HTTP upstream: a Node HTTP proxy that does nothing but
// pass each request to the upstream (a keep-alive agent) and pipe its answer back, headers and
// SSE body as they are. Two HTTP legs and no MCP: what any gateway in Node pays before its own
// work. `node passThroughProxy.mjs UPSTREAM_URL`; prints `listening on URL`.
import http from 'node:http';

const target = new URL(process.argv[2]);
const agent = new http.Agent({ keepAlive: true });

http
  .createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
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
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => res.destroy());
      upstream.end(Buffer.concat(chunks));
    });
  })
  .listen(0, '127.0.0.1', function () {
    console.log(`listening on http://127.0.0.1:${this.address().port}/mcp`);
  });

import { type ChildProcess, spawn } from 'node:child_process';
import { PassThrough, Writable } from 'node:stream';
import type { JSONRPCMessage } from '@modelcontextprotocol/client';
import { Client } from '@modelcontextprotocol/client';
import { afterEach, describe, expect, it } from 'vitest';
import { MonitorError, MonitorErrorCode } from '../errors.js';
import { createStreamTransport } from './streamTransport.js';

// A stdio MCP server in a few lines: answers initialize and ping; `tools/list` is answered with
// a line of 11 MiB (over the SDK's 10 MiB limit), after a partial write so it spans chunks.
const SERVER = `
let buf = '';
const out = (m) => process.stdout.write(JSON.stringify(m) + '\\n');
process.stdin.on('data', (d) => {
  buf += d;
  for (let i; (i = buf.indexOf('\\n')) !== -1; ) {
    const m = JSON.parse(buf.slice(0, i));
    buf = buf.slice(i + 1);
    if (m.method === 'initialize')
      out({ jsonrpc: '2.0', id: m.id, result: { protocolVersion: m.params.protocolVersion,
        capabilities: { tools: {} }, serverInfo: { name: 'big', version: '1' } } });
    else if (m.method === 'ping') out({ jsonrpc: '2.0', id: m.id, result: {} });
    else if (m.method === 'tools/list')
      out({ jsonrpc: '2.0', id: m.id, result: { tools: [], pad: 'x'.repeat(11 * 1024 * 1024) } });
  }
});
`;

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

describe('createStreamTransport', () => {
  it('regression: a session opened on an exited process waited for answers that never came; now it fails at once', async () => {
    const child = spawn(process.execPath, ['-e', ''], { stdio: ['pipe', 'pipe', 'inherit'] });
    children.push(child);
    await new Promise((resolve) => child.once('close', resolve));
    const client = new Client({ name: 't', version: '1' });
    const began = Date.now();
    await expect(
      client.connect(createStreamTransport(child.stdout!, child.stdin!)),
    ).rejects.toThrow('Not connected: the process has closed its stdio');
    // The deadline of initialize (60 s in the SDK) is not waited for.
    expect(Date.now() - began).toBeLessThan(5000);
  });

  it('regression: a line over the limit broke the session silently; now it is closed as lost and a new session works', async () => {
    const child = spawn(process.execPath, ['-e', SERVER], { stdio: ['pipe', 'pipe', 'inherit'] });
    children.push(child);
    const errors: unknown[] = [];
    const first = new Client({ name: 't', version: '1' });
    first.onerror = (error) => errors.push(error);
    const closed = new Promise<void>((resolve) => {
      first.onclose = resolve;
    });
    await first.connect(createStreamTransport(child.stdout!, child.stdin!));
    await expect(first.listTools()).rejects.toThrow(/Connection closed/);
    await closed;
    const tooLong = errors.find((e) => e instanceof MonitorError) as MonitorError;
    expect(tooLong.code).toBe(MonitorErrorCode.LineTooLong);
    expect(tooLong.message).toMatch(
      /^wrote a line of \d+ bytes or more to stdout, over the limit of 10485760 bytes$/,
    );
    expect((tooLong.data as { bytes: number }).bytes).toBeGreaterThan(10 * 1024 * 1024);

    // The same process, a new session: the rest of the long line is skipped, not parsed.
    const second = new Client({ name: 't', version: '1' });
    const secondErrors: unknown[] = [];
    second.onerror = (error) => secondErrors.push(error);
    await second.connect(createStreamTransport(child.stdout!, child.stdin!));
    await expect(second.ping()).resolves.toEqual({});
    expect(secondErrors).toEqual([]);
    await second.close();
  }, 30_000);

  it('joins a line from every chunk it spans: a character split between chunks, CRLF split, lines after it in the last chunk', async () => {
    const output = new PassThrough();
    const transport = createStreamTransport(output, new PassThrough());
    const messages: JSONRPCMessage[] = [];
    const errors: unknown[] = [];
    transport.onmessage = (message) => messages.push(message);
    transport.onerror = (error) => errors.push(error);
    await transport.start();
    const text = `é${'x'.repeat(200_000)}€`;
    const bytes = Buffer.from(
      `${JSON.stringify({ jsonrpc: '2.0', id: 1, result: { text } })}\r\n` +
        `${JSON.stringify({ jsonrpc: '2.0', id: 2, result: {} })}\n{"jsonrpc":"2.0","id":3,`,
    );
    // Cuts inside the two-byte é, inside the three-byte €, between \r and \n, and many between.
    const inside = (s: string) => bytes.indexOf(Buffer.from(s)) + 1;
    const cuts = [
      0,
      inside('é'),
      50_000,
      100_000,
      150_000,
      inside('€'),
      inside('\r'),
      bytes.length,
    ];
    cuts.sort((a, b) => a - b);
    for (let i = 1; i < cuts.length; i++) output.emit('data', bytes.subarray(cuts[i - 1], cuts[i]));
    output.emit('data', Buffer.from('"result":{}}\n'));
    expect(errors).toEqual([]);
    expect(messages).toEqual([
      { jsonrpc: '2.0', id: 1, result: { text } },
      { jsonrpc: '2.0', id: 2, result: {} },
      { jsonrpc: '2.0', id: 3, result: {} },
    ]);
    await transport.close();
  });

  it('passes on the lines before an over-long one in the same read, and the next session starts after the long line even when the read ends inside the next message', async () => {
    const output = new PassThrough();
    const first = createStreamTransport(output, new PassThrough(), { maxLineBytes: 100 });
    const seen: JSONRPCMessage[] = [];
    const errors: unknown[] = [];
    first.onmessage = (message) => seen.push(message);
    first.onerror = (error) => errors.push(error);
    await first.start();
    const ok = (id: number) => JSON.stringify({ jsonrpc: '2.0', id, result: {} });
    // One read: a message, a line of 200 bytes, and the start of the next message.
    const next = ok(3);
    output.emit('data', Buffer.from(`${ok(1)}\n${'x'.repeat(200)}\n${next.slice(0, 10)}`));
    expect(seen).toEqual([{ jsonrpc: '2.0', id: 1, result: {} }]);
    expect((errors[0] as MonitorError).code).toBe(MonitorErrorCode.LineTooLong);
    // A new session on the same output reads from the line after the cut one.
    const second = createStreamTransport(output, new PassThrough(), { maxLineBytes: 100 });
    const later: JSONRPCMessage[] = [];
    const laterErrors: unknown[] = [];
    second.onmessage = (message) => later.push(message);
    second.onerror = (error) => laterErrors.push(error);
    await second.start();
    output.emit('data', Buffer.from(`${next.slice(10)}\n${ok(4)}\n`));
    expect(laterErrors).toEqual([]);
    expect(later).toEqual([{ jsonrpc: '2.0', id: 4, result: {} }]);
    await second.close();
  });

  it('starts once, and not after it was closed', async () => {
    const twice = createStreamTransport(new PassThrough(), new PassThrough());
    await twice.start();
    await expect(twice.start()).rejects.toThrow('The stream transport is started already');
    await twice.close();
    const output = new PassThrough();
    const closedFirst = createStreamTransport(output, new PassThrough());
    await closedFirst.close();
    await expect(closedFirst.start()).rejects.toThrow('Not connected: the transport is closed');
    expect(output.listenerCount('data')).toBe(0);
  });

  it('skips a line that is not JSON-RPC and reports it as INVALID_MESSAGE; the session goes on', async () => {
    // A server that greets on stdout before anything else, as a logging server does.
    const chatty = `process.stdout.write('Server started\\n{"hello":1}\\n');${SERVER}`;
    const child = spawn(process.execPath, ['-e', chatty], { stdio: ['pipe', 'pipe', 'inherit'] });
    children.push(child);
    const errors: unknown[] = [];
    const client = new Client({ name: 't', version: '1' });
    client.onerror = (error) => errors.push(error);
    await client.connect(createStreamTransport(child.stdout!, child.stdin!));
    await expect(client.ping()).resolves.toEqual({});
    expect(errors.map((e) => [(e as MonitorError).code, (e as Error).message])).toEqual([
      [
        MonitorErrorCode.InvalidMessage,
        expect.stringMatching(
          /^wrote a line to stdout that is not JSON \(.*"Server started" is not valid JSON\); stdout is for JSON-RPC only \(log to stderr\)$/,
        ),
      ],
      [
        MonitorErrorCode.InvalidMessage,
        'wrote a line to stdout that is JSON, but not a JSON-RPC message; stdout is for JSON-RPC only (log to stderr)',
      ],
    ]);
    await client.close();
  });

  it('reports what the consumer throws as it is, not as INVALID_MESSAGE, and reads the lines after it', async () => {
    const output = new PassThrough();
    const transport = createStreamTransport(output, new PassThrough());
    const received: JSONRPCMessage[] = [];
    const errors: unknown[] = [];
    const failure = new Error('the consumer failed');
    transport.onmessage = (message) => {
      received.push(message);
      if (received.length === 1) throw failure;
    };
    transport.onerror = (error) => errors.push(error);
    await transport.start();
    output.write('{"jsonrpc":"2.0","id":1,"result":{}}\n{"jsonrpc":"2.0","id":2,"result":{}}\n');
    await new Promise((resolve) => setImmediate(resolve));
    expect(received.map((m) => (m as { id: number }).id)).toEqual([1, 2]);
    expect(errors).toEqual([failure]);
    await transport.close();
  });

  it('refuses to send once closed, saying nothing was written (sent: false)', async () => {
    const child = spawn(process.execPath, ['-e', SERVER], { stdio: ['pipe', 'pipe', 'inherit'] });
    children.push(child);
    const transport = createStreamTransport(child.stdout!, child.stdin!);
    await transport.start();
    await transport.close();
    await expect(transport.send({ jsonrpc: '2.0', id: 1, method: 'ping' })).rejects.toMatchObject({
      sent: false,
      message: /^Not connected/,
    });
  });
  it('regression: each send into a full pipe added its own drain listener (a warning past 10); now they share one wait', async () => {
    const written: string[] = [];
    let release: (() => void) | undefined;
    // A server that has stopped reading: nothing written completes until the test lets it.
    const input = new Writable({
      highWaterMark: 16,
      write(chunk: Buffer, _encoding, done) {
        written.push(String(chunk));
        release = done;
      },
    });
    const transport = createStreamTransport(new PassThrough(), input);
    await transport.start();
    let sent = 0;
    const sends = Array.from({ length: 20 }, (_, i) =>
      transport.send({ jsonrpc: '2.0', id: i, method: 'ping' }).then(() => sent++),
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(input.listenerCount('drain')).toBe(1);
    expect(sent).toBe(0);
    while (written.length < 20) {
      release?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
    release?.();
    await Promise.all(sends);
    expect(written.map((line) => JSON.parse(line).id)).toEqual([...Array(20).keys()]);
    expect(input.listenerCount('drain')).toBe(0);
    await transport.close();
  });
  it('lets the senders waiting on a full pipe go when the pipe closes instead of draining', async () => {
    const input = new Writable({ highWaterMark: 16, write() {} }); // never completes a write
    const transport = createStreamTransport(new PassThrough(), input);
    await transport.start();
    const sends = Array.from({ length: 3 }, (_, i) =>
      transport.send({ jsonrpc: '2.0', id: i, method: 'ping' }),
    );
    input.destroy();
    await Promise.all(sends);
    expect(input.listenerCount('drain')).toBe(0);
  });
});

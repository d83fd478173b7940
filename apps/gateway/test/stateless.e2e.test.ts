import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningGateway, startGateway } from './helpers/gatewayHarness.js';
import { startTestUpstream, type TestUpstream } from './helpers/testUpstream.js';
import { everythingStdio } from './helpers/upstreams.js';

const VERSION = '2026-07-28';
const CLIENT = { name: 'stateless-test', version: '1.0.0' };

/** The envelope a 2026-07-28 client puts in every request's `_meta`. */
const envelope = (capabilities: Record<string, unknown> = {}, extra = {}) => ({
  'io.modelcontextprotocol/protocolVersion': VERSION,
  'io.modelcontextprotocol/clientCapabilities': capabilities,
  'io.modelcontextprotocol/clientInfo': CLIENT,
  ...extra,
});

interface Answer {
  status: number;
  body: Record<string, unknown>;
  /** SSE messages before the answer (notifications), in order. */
  notifications: Record<string, unknown>[];
  type: string;
}

let nextId = 1;

describe('MCP 2026-07-28 clients (stateless, RFC 0013)', () => {
  let gw: RunningGateway;
  let upstream: TestUpstream;

  /** POSTs one request as a 2026-07-28 client does: headers mirror the body. */
  const post = async (
    method: string,
    params: Record<string, unknown> = {},
    headers: Record<string, string> = {},
  ): Promise<Answer> => {
    const name = params.name ?? params.uri;
    const response = await fetch(gw.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': VERSION,
        'mcp-method': method,
        ...(typeof name === 'string' && { 'mcp-name': name }),
        ...headers,
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: nextId++,
        method,
        params: { _meta: envelope(), ...params },
      }),
    });
    const type = response.headers.get('content-type') ?? '';
    const text = await response.text();
    if (!type.includes('text/event-stream'))
      return { status: response.status, body: JSON.parse(text), notifications: [], type };
    const messages = text
      .split('\n\n')
      .map((event) => /^data: (.*)$/m.exec(event)?.[1])
      .filter((data): data is string => data !== undefined)
      .map((data) => JSON.parse(data) as Record<string, unknown>);
    return {
      status: response.status,
      body: messages.at(-1)!,
      notifications: messages.slice(0, -1),
      type,
    };
  };
  const result = (answer: Answer) => answer.body.result as Record<string, unknown>;
  const error = (answer: Answer) => answer.body.error as Record<string, unknown>;

  beforeAll(async () => {
    upstream = await startTestUpstream();
    gw = await startGateway({ mcpServers: { ev: everythingStdio(), t: { url: upstream.url } } });
  }, 60_000);

  afterAll(async () => {
    await gw?.stop();
    await upstream?.stop();
  });

  it('answers server/discover for the aggregate, with its identity in _meta', async () => {
    const answer = await post('server/discover');
    expect(answer.status).toBe(200);
    expect(result(answer)).toMatchObject({
      supportedVersions: [VERSION],
      capabilities: { tools: { listChanged: true }, prompts: {}, resources: {} },
      resultType: 'complete',
      ttlMs: 0,
      cacheScope: 'private',
      _meta: { 'io.modelcontextprotocol/serverInfo': { name: 'selfheal' } },
    });
  });

  it('lists every server’s tools under their prefixes with cache hints, and calls one', async () => {
    const listed = await post('tools/list');
    const names = (result(listed).tools as { name: string }[]).map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['ev__echo', 't__echo']));
    expect(result(listed)).toMatchObject({
      resultType: 'complete',
      ttlMs: 0,
      cacheScope: 'private',
    });
    const called = await post('tools/call', { name: 'ev__echo', arguments: { message: 'hi' } });
    expect(called.type).toContain('application/json');
    expect(result(called)).toMatchObject({
      content: [{ type: 'text', text: 'Echo: hi' }],
      resultType: 'complete',
    });
    expect(result(called)).not.toHaveProperty('ttlMs');
  });

  it('refuses a request without its envelope, naming the missing key (400, -32602)', async () => {
    const response = await fetch(gw.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'mcp-protocol-version': VERSION,
        'mcp-method': 'tools/list',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/list',
        params: { _meta: { 'io.modelcontextprotocol/protocolVersion': VERSION } },
      }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: number; message: string } };
    expect(body.error.code).toBe(-32602);
    expect(body.error.message).toContain('io.modelcontextprotocol/clientCapabilities');
  });

  it('refuses an unknown revision with the ones it serves (400, -32022)', async () => {
    const answer = await post(
      'tools/list',
      { _meta: { ...envelope(), 'io.modelcontextprotocol/protocolVersion': '2099-01-01' } },
      { 'mcp-protocol-version': '2099-01-01' },
    );
    expect(answer.status).toBe(400);
    expect(error(answer)).toMatchObject({
      code: -32022,
      data: { supported: [VERSION], requested: '2099-01-01' },
    });
  });

  it('refuses headers that contradict the body (400, -32020)', async () => {
    const answer = await post('tools/list', {}, { 'mcp-method': 'prompts/list' });
    expect(answer.status).toBe(400);
    expect(error(answer)).toMatchObject({ code: -32020 });
    expect(String(error(answer).message)).toMatch(/Mcp-Method/);
  });

  it('refuses a request without MCP-Protocol-Version or Mcp-Method, or a named request without Mcp-Name (400, -32020)', async () => {
    const send = async (headers: Record<string, string>, method: string, params: object) => {
      const response = await fetch(gw.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'mcp-protocol-version': VERSION,
          ...headers,
        },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method,
          params: { _meta: envelope(), ...params },
        }),
      });
      return {
        status: response.status,
        body: (await response.json()) as { error: { code: number; message: string } },
      };
    };
    const noVersion = await fetch(gw.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-method': 'tools/list',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/list',
        params: { _meta: envelope() },
      }),
    });
    expect(noVersion.status).toBe(400);
    expect(((await noVersion.json()) as { error: unknown }).error).toMatchObject({
      code: -32020,
      message: expect.stringMatching(/MCP-Protocol-Version is missing/),
    });
    const noMethod = await send({}, 'tools/list', {});
    expect(noMethod.status).toBe(400);
    expect(noMethod.body.error).toMatchObject({
      code: -32020,
      message: expect.stringMatching(/Mcp-Method is missing/),
    });
    for (const [method, params] of [
      ['tools/call', { name: 'ev__echo', arguments: { message: 'x' } }],
      ['prompts/get', { name: 'ev__simple-prompt' }],
      ['resources/read', { uri: 'demo://resource/static/document/architecture.md' }],
    ] as const) {
      const noName = await send({ 'mcp-method': method }, method, params);
      expect(noName.status).toBe(400);
      expect(noName.body.error).toMatchObject({
        code: -32020,
        message: expect.stringMatching(/Mcp-Name is missing/),
      });
    }
  });

  it('answers the methods 2026-07-28 removed with 404 and -32601', async () => {
    for (const method of ['ping', 'logging/setLevel', 'resources/subscribe']) {
      const answer = await post(method);
      expect(answer.status).toBe(404);
      expect(error(answer)).toMatchObject({ code: -32601 });
    }
    const get = await fetch(gw.url, { headers: { 'mcp-protocol-version': VERSION } });
    expect(get.status).toBe(405);
  });

  it('streams the call’s progress before its answer, against the client’s token', async () => {
    const answer = await post('tools/call', {
      name: 'ev__trigger-long-running-operation',
      arguments: { duration: 0.3, steps: 3 },
      _meta: envelope({}, { progressToken: 'p-1' }),
    });
    expect(answer.type).toContain('text/event-stream');
    expect(result(answer)).toMatchObject({ resultType: 'complete' });
    // Every step, the last one included, before the answer (it used to race the result).
    const progress = answer.notifications.filter((n) => n.method === 'notifications/progress');
    expect(progress.map((n) => (n.params as { progress: number }).progress)).toEqual([1, 2, 3]);
    for (const n of progress) expect(n.params).toMatchObject({ progressToken: 'p-1', total: 3 });
  });

  it('turns a 2025-11-25 server’s elicitation into input_required, and the retry answers it', async () => {
    const first = await post('tools/call', {
      name: 'ev__trigger-elicitation-request',
      arguments: {},
      _meta: envelope({ elicitation: {} }),
    });
    const asked = result(first);
    expect(asked.resultType).toBe('input_required');
    const inputRequests = asked.inputRequests as Record<string, { method: string }>;
    const [key, request] = Object.entries(inputRequests)[0]!;
    expect(request.method).toBe('elicitation/create');
    expect(asked.requestState).toEqual(expect.any(String));

    const content = { name: 'Lin', check: true };
    const second = await post('tools/call', {
      name: 'ev__trigger-elicitation-request',
      arguments: {},
      inputResponses: { [key]: { action: 'accept', content } },
      requestState: asked.requestState,
      _meta: envelope({ elicitation: {} }),
    });
    expect(result(second).resultType).toBe('complete');
    expect(JSON.stringify(result(second).content)).toContain('Lin');

    // A requestState is answered once.
    const again = await post('tools/call', {
      name: 'ev__trigger-elicitation-request',
      arguments: {},
      inputResponses: { [key]: { action: 'accept', content } },
      requestState: asked.requestState,
      _meta: envelope({ elicitation: {} }),
    });
    expect(again.status).toBe(400);
    expect(error(again)).toMatchObject({ code: -32602 });
  });

  it('does not ask a client for input it did not declare it can give', async () => {
    const answer = await post('tools/call', {
      name: 'ev__trigger-elicitation-request',
      arguments: {},
    });
    expect(result(answer).resultType).toBe('complete');
    expect(result(answer).isError).toBe(true);
  });

  it('pushes list changes to a listen stream, tagged with its subscription', async () => {
    const controller = new AbortController();
    const response = await fetch(gw.url, {
      method: 'POST',
      signal: controller.signal,
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': VERSION,
        'mcp-method': 'subscriptions/listen',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 'sub-1',
        method: 'subscriptions/listen',
        params: { _meta: envelope(), notifications: { toolsListChanged: true } },
      }),
    });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reader = response.body!.getReader();
    const seen: Record<string, unknown>[] = [];
    let buffered = '';
    const until = async (method: string) => {
      while (!seen.some((m) => m.method === method)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before ${method}`);
        buffered += Buffer.from(value).toString();
        const events = buffered.split('\n\n');
        buffered = events.pop()!;
        for (const event of events) {
          const data = /^data: (.*)$/m.exec(event)?.[1];
          if (data) seen.push(JSON.parse(data));
        }
      }
      return seen.find((m) => m.method === method)!;
    };
    const ack = await until('notifications/subscriptions/acknowledged');
    expect(ack.params).toMatchObject({
      notifications: { toolsListChanged: true },
      _meta: { 'io.modelcontextprotocol/subscriptionId': 'sub-1' },
    });
    await upstream.addTool('fresh');
    const changed = await until('notifications/tools/list_changed');
    expect(changed.params).toMatchObject({
      _meta: { 'io.modelcontextprotocol/subscriptionId': 'sub-1' },
    });
    controller.abort();
    const listed = await post('tools/list');
    expect((result(listed).tools as { name: string }[]).map((t) => t.name)).toContain('t__fresh');
  });
});

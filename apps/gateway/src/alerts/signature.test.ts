import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AlertReceiver, startAlertReceiver } from '../../test/helpers/alertReceiver.js';
import type { SinkSpec } from './alertConfig.js';
import { createHttpTransport } from './httpTransport.js';
import type { Notice } from './notice.js';
import { verifyWebhook } from './signature.js';

type Verify = (
  secret: string,
  rawBody: Buffer | string,
  headers: Record<string, unknown>,
  nowSeconds?: number,
) => boolean;

/** The receiver's check exactly as the gateway README shows it. */
async function readmeVerifier(): Promise<Verify> {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const block = /<!-- verify-signature -->\n```js\n([\s\S]*?)```/.exec(readme);
  if (!block) throw new Error('README.md: no ```js block after <!-- verify-signature -->');
  const file = join(await mkdtemp(join(tmpdir(), 'selfheal-verify-')), 'verify.mjs');
  writeFileSync(file, block[1]!);
  return (await import(pathToFileURL(file).href)).verifySelfheal;
}

const notice: Notice = {
  action: 'trigger',
  alertId: 'down/memory/abc',
  noticeId: '01KTEST',
  rule: 'down',
  ruleType: 'down',
  severity: 'critical',
  summary: 'memory has been down for 31 s (threshold 30 s) — ünïcode',
  firedSummary: 'memory has been down for 31 s (threshold 30 s)',
  server: 'memory',
  firedAt: '2026-12-06T04:00:00.000Z',
  at: '2026-12-06T04:00:00.000Z',
  details: {},
  test: false,
};

describe('webhook signature', () => {
  let receiver: AlertReceiver;
  let verify: Verify;
  const now = Date.UTC(2026, 11, 6, 4);
  const spec = (secret?: string): SinkSpec => ({
    name: 'hook',
    type: 'webhook',
    url: `${receiver.url}/hook`,
    secret,
    headers: {},
    timeoutMs: 5000,
    rateLimit: { max: 100, perMs: 1000 },
  });
  beforeAll(async () => {
    receiver = await startAlertReceiver();
    verify = await readmeVerifier();
  });
  afterAll(() => receiver.close());

  it('a request the gateway signed passes the README check; a changed body, key or time does not', async () => {
    const result = await createHttpTransport(spec('s3cret'), { now: () => now }).send(
      notice,
      new AbortController().signal,
    );
    expect(result).toMatchObject({ ok: true, status: 202 });
    const got = receiver.received.at(-1)!;
    const seconds = now / 1000;
    expect(got.headers['x-selfheal-timestamp']).toBe(String(seconds));
    expect(verify('s3cret', got.raw, got.headers, seconds)).toBe(true);
    expect(verify('s3cret', got.raw.toString('utf8'), got.headers, seconds + 299)).toBe(true);
    const tampered = Buffer.from(got.raw.toString('utf8').replace('critical', 'info'));
    expect(verify('s3cret', tampered, got.headers, seconds)).toBe(false);
    expect(verify('other', got.raw, got.headers, seconds)).toBe(false);
    expect(verify('s3cret', got.raw, got.headers, seconds + 301)).toBe(false);
    const moved = { ...got.headers, 'x-selfheal-timestamp': String(seconds + 1) };
    expect(verify('s3cret', got.raw, moved, seconds)).toBe(false);
    // The gateway's own checker agrees with the README's.
    expect(
      verifyWebhook({
        secret: 's3cret',
        body: got.raw.toString('utf8'),
        signature: got.headers['x-selfheal-signature'] as string,
        timestamp: got.headers['x-selfheal-timestamp'] as string,
        nowSeconds: seconds,
      }),
    ).toBe(true);
  });

  it('without secret_env a webhook is sent unsigned', async () => {
    await createHttpTransport(spec(), { now: () => now }).send(
      notice,
      new AbortController().signal,
    );
    const got = receiver.received.at(-1)!;
    expect(got.headers['x-selfheal-signature']).toBeUndefined();
    expect(verify('s3cret', got.raw, got.headers, now / 1000)).toBe(false);
    expect(got.json).toMatchObject({ action: 'trigger', alert: { id: 'down/memory/abc' } });
  });
});

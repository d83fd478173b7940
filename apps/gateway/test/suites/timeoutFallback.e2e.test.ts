import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { faultyServer, faultyStats, textOf, useFaultyGateway } from '../helpers/faultyUpstream.js';

/**
 * A timed-out call reached its server and may have run there: it moves on to a fallback server
 * only when running it twice is safe (a tool annotated read-only or idempotent), as retries.
 */
describe('a timeout on a server with a fallback', () => {
  const dir = mkdtempSync(join(tmpdir(), 'selfheal-timeout-fallback-'));
  const hangFile = join(dir, 'hang');
  const quick = { attempt_timeout_ms: 400, retry: { max_attempts: 1 } };
  const run = useFaultyGateway({
    primary: faultyServer(
      { HANG_FILE: hangFile },
      { fallback: ['backup'], resilience: { tools: { echo: quick, put: quick, lookup: quick } } },
    ),
    backup: faultyServer({}),
  });
  const call = (tool: string, message: string) =>
    run.client.callTool({ name: `primary__${tool}`, arguments: { message } });
  const meta = (result: Record<string, unknown>) =>
    (result._meta ?? {}) as Record<string, { code?: string } | string | undefined>;

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps a tool that may have taken effect off the fallback, and says why', async () => {
    // Both processes up before the primary hangs.
    await faultyStats(run.client, 'primary');
    await faultyStats(run.client, 'backup');
    writeFileSync(hangFile, '');
    const result = await call('echo', 'at most once');
    rmSync(hangFile);

    expect(result.isError).toBe(true);
    expect(meta(result)['selfheal/error']).toEqual({ code: 'ATTEMPT_TIMEOUT' });
    expect(textOf(result)).toMatch(
      /not tried on "backup": "echo" is not annotated read-only or idempotent, and the request may have run on "primary"/,
    );
    expect((await faultyStats(run.client, 'backup')).calls.echo ?? 0).toBe(0);
    expect(run.recorder.ofType('fallback_used')).toHaveLength(0);
    expect(
      run.recorder.ofType('call_completed', { tool: 'primary__echo', outcome: 'timeout' }),
    ).toHaveLength(1);
  });

  it('sends a read-only or idempotent tool on to the fallback after the same timeout', async () => {
    run.recorder.clear();
    writeFileSync(hangFile, '');
    const put = await call('put', 'twice is fine');
    const lookup = await call('lookup', 'no effect');
    rmSync(hangFile);

    expect(textOf(put)).toBe('stored twice is fine');
    expect(meta(put)['selfheal/served_by']).toBe('backup');
    expect(textOf(lookup)).toBe('found no effect');
    expect(meta(lookup)['selfheal/served_by']).toBe('backup');
    expect(run.recorder.ofType('fallback_used', { from: 'primary', to: 'backup' })).toHaveLength(2);
  });
});

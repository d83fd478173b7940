import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { replayLogs } from './replay.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const H1 = `sha256:${'1'.repeat(64)}`;
const H2 = `sha256:${'2'.repeat(64)}`;

describe('replayLogs and trust (RFC 0017)', () => {
  it('folds pins, held definitions, scores and quarantines with the byte scanner as with JSON.parse', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sh-replay-trust-'));
    dirs.push(dir);
    const at = (s: number) => `2026-12-06T04:00:${String(s).padStart(2, '0')}.000Z`;
    const base = (s: number) => ({ timestamp: at(s), trace_id: 't', repo: 'selfheal', seq: s });
    const lines = [
      {
        event_type: 'tool_pinned',
        server_name: 'a',
        tool: 'echo',
        hash: H1,
        definition: { name: 'echo', description: 'one' },
        ...base(1),
      },
      {
        event_type: 'health_check_completed',
        server_name: 'a',
        status: 'ok',
        response_time_ms: 3,
        ...base(2),
      },
      {
        event_type: 'tool_definition_changed',
        server_name: 'a',
        tool: 'echo',
        hash: H2,
        previous_hash: H1,
        definition: { name: 'echo', description: 'two' },
        diff: ['~ /description: "one" -> "two"'],
        reason: 'changed',
        ...base(3),
      },
      {
        event_type: 'trust_changed',
        server_name: 'a',
        score: 0.15,
        previous: 0.5,
        signal: 'definition_changed',
        ...base(4),
      },
      {
        event_type: 'server_quarantined',
        server_name: 'a',
        score: 0.15,
        threshold: 0.2,
        reason: 'definition_changed',
        ...base(5),
      },
    ];
    const file = join(dir, 'events.jsonl');
    writeFileSync(file, `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
    const scanned = await replayLogs([file]);
    const parsed = await replayLogs([file], { byteScanner: false });
    expect(scanned.trust).toEqual(parsed.trust);
    expect(scanned.trust.servers.a).toEqual({
      score: 0.15,
      quarantined: { since: at(5), score: 0.15, reason: 'definition_changed' },
      tools: {
        echo: {
          hash: H1,
          definition: { name: 'echo', description: 'one' },
          pending: {
            hash: H2,
            definition: { name: 'echo', description: 'two' },
            diff: ['~ /description: "one" -> "two"'],
            reason: 'changed',
            since: at(3),
          },
        },
      },
    });
  });
});

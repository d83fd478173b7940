import { describe, expect, it } from 'vitest';
import { parseConfig } from '../testing/parseConfig.js';
import { resolveEventEmission } from './eventEmission.js';

const config = (event_emission?: Record<string, unknown>) =>
  parseConfig(
    { mcpServers: { a: { command: 'node' } }, ...(event_emission && { event_emission }) },
    'test.json',
  );

describe('resolveEventEmission', () => {
  it("applies the schema's defaults, repo 'selfheal' included", () => {
    expect(resolveEventEmission(config())).toEqual({
      enabled: true,
      path: 'selfheal-events.jsonl',
      durability: 'batched',
      flushIntervalMs: 100,
      rotateMaxBytes: 0,
      rotateMaxAgeMs: 0,
      repo: 'selfheal',
    });
  });

  it('keeps what the config says, key by key', () => {
    expect(
      resolveEventEmission(config({ repo: 'edge-monitor', rotate_max_age_seconds: 60 })),
    ).toMatchObject({ repo: 'edge-monitor', rotateMaxAgeMs: 60_000, durability: 'batched' });
  });
});

import { describe, expect, it } from 'vitest';
import { eventLogOptionsFromConfig } from './logConfig.js';

describe('eventLogOptionsFromConfig', () => {
  it('applies the schema defaults, relative to the config directory', () => {
    expect(eventLogOptionsFromConfig(undefined, '/etc/selfheal')).toEqual({
      path: '/etc/selfheal/selfheal-events.jsonl',
      durability: 'batched',
      flushIntervalMs: 100,
      rotateMaxBytes: 0,
      rotateMaxAgeMs: 0,
    });
  });

  it('maps every key, seconds to milliseconds, and honours enabled: false', () => {
    expect(
      eventLogOptionsFromConfig(
        {
          path: '../logs/events.jsonl',
          durability: 'per_event',
          flush_interval_ms: 250,
          rotate_max_bytes: 1_000_000,
          rotate_max_age_seconds: 3600,
        },
        '/etc/selfheal',
      ),
    ).toEqual({
      path: '/etc/logs/events.jsonl',
      durability: 'per_event',
      flushIntervalMs: 250,
      rotateMaxBytes: 1_000_000,
      rotateMaxAgeMs: 3_600_000,
    });
    expect(eventLogOptionsFromConfig({ enabled: false }, '/x')).toBeUndefined();
  });
});

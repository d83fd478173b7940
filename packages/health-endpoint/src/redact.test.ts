import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeFailure, REDACTED, redactSecrets, toPublicReason } from './redact.js';

describe('redactSecrets', () => {
  it('keeps only the scheme of URLs and connection strings', () => {
    expect(redactSecrets('cannot reach postgres://admin:hunter2@db.internal:5432/app now')).toBe(
      `cannot reach postgres://${REDACTED} now`,
    );
    expect(redactSecrets('GET https://api.example.com/v1?api_key=abc failed')).toBe(
      `GET https://${REDACTED} failed`,
    );
  });

  it('redacts password/token/key pairs but keeps the key name', () => {
    expect(redactSecrets('login failed: password=hunter2, user=bob')).toBe(
      `login failed: password=${REDACTED}, user=bob`,
    );
    expect(redactSecrets('API_KEY: "s3cr3t value" rejected')).toBe(`API_KEY: ${REDACTED} rejected`);
    expect(redactSecrets('Authorization: Bearer abc.def')).toContain(REDACTED);
    expect(redactSecrets('Authorization: Bearer abc.def')).not.toContain('abc.def');
  });

  it('redacts long opaque tokens (JWTs, keys) and keeps ordinary words', () => {
    const jwt =
      'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';
    expect(redactSecrets(`rejected ${jwt}`)).toBe(`rejected ${REDACTED}`);
    expect(redactSecrets('replication lag above threshold')).toBe(
      'replication lag above threshold',
    );
  });

  it('never lets an embedded secret through, whatever surrounds it', () => {
    const secret = fc
      .string({
        unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'),
        minLength: 24,
        maxLength: 64,
      })
      .map((s) => `${s}9`);
    const word = fc.string({ unit: fc.constantFrom(...'abcdefgh '), maxLength: 20 });
    const shape = fc.constantFrom(
      (s: string) => `token=${s}`,
      (s: string) => `redis://user:${s}@cache:6379`,
      (s: string) => `Bearer ${s}`,
      (s: string) => s,
    );
    fc.assert(
      fc.property(word, secret, shape, word, (before, s, wrap, after) => {
        expect(redactSecrets(`${before} ${wrap(s)} ${after}`)).not.toContain(s);
      }),
    );
  });
});

describe('describeFailure', () => {
  it('keeps the first line only, never the stack', () => {
    const error = new Error('db refused\nsecond line');
    const text = describeFailure(error);
    expect(text).toBe('db refused');
    expect(text).not.toContain('at ');
  });

  it('names a non-generic error class and the errno code', () => {
    const error = Object.assign(new TypeError('socket closed'), { code: 'ECONNRESET' });
    expect(describeFailure(error)).toBe('ECONNRESET: TypeError: socket closed');
  });

  it('handles strings, non-errors and empty messages', () => {
    expect(describeFailure('plain reason')).toBe('plain reason');
    expect(describeFailure(42)).toBe('threw a non-Error value');
    expect(describeFailure(new Error(''))).toBe('failed without a message');
  });

  it('cuts long reasons to 160 characters', () => {
    expect(toPublicReason('x '.repeat(200))).toHaveLength(160);
  });
});

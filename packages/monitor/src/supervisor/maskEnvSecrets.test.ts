import { describe, expect, it } from 'vitest';
import { maskEnvSecrets } from './maskEnvSecrets.js';

describe('maskEnvSecrets', () => {
  it('keeps ordinary words, names, paths and numbers', () => {
    const line = 'FATAL: GITHUB_TOKEN is not set (see /etc/app/config.json, line 42, key missing)';
    expect(maskEnvSecrets(line, { GITHUB_TOKEN: '' })).toBe(line);
  });

  it("masks the values of the server's secret-named env vars, not of others", () => {
    const env = { API_KEY: 'hunter22', DB_PASSWORD: 'pa55word', MODE: 'production' };
    expect(maskEnvSecrets('auth hunter22 failed for pa55word in production', env)).toBe(
      'auth [redacted] failed for [redacted] in production',
    );
  });

  it('does not mask a value too short to be a secret (it would eat ordinary text)', () => {
    expect(maskEnvSecrets('a 1 b', { SOME_KEY: '1' })).toBe('a 1 b');
  });

  it('masks bearer credentials, NAME=value for secret names, and long mixed tokens', () => {
    expect(maskEnvSecrets('Authorization: Bearer abc.def-ghi')).toBe(
      'Authorization: Bearer [redacted]',
    );
    expect(maskEnvSecrets('using OPENAI_API_KEY=sk-1 and PORT=8080')).toBe(
      'using OPENAI_API_KEY=[redacted] and PORT=8080',
    );
    expect(maskEnvSecrets('token ghp_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8 rejected')).toBe(
      'token [redacted] rejected',
    );
    expect(maskEnvSecrets('internationalization_configuration_is_missing')).toBe(
      'internationalization_configuration_is_missing',
    );
  });
});

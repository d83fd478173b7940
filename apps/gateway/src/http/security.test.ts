import { mkdtempSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../config/loadConfig.js';
import {
  createBearerCheck,
  createOriginPolicy,
  loadTokens,
  rebindingViolation,
} from './security.js';

const settings = (gateway: Record<string, unknown> = {}) =>
  resolveConfig({ mcpServers: {}, gateway }, 'test').gateway;
const req = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;

describe('createBearerCheck', () => {
  const check = createBearerCheck(['s3cret', 'other']);

  it('accepts each token and nothing else', () => {
    expect(check('Bearer s3cret')).toBe(true);
    expect(check('bearer other')).toBe(true);
    for (const header of [
      undefined,
      '',
      's3cret',
      'Bearer',
      'Bearer s3cre',
      'Bearer s3crett',
      'Basic s3cret',
      'Bearer s3cret x',
    ])
      expect(check(header)).toBe(false);
  });

  it('accepts nothing when no token is configured', () => {
    expect(createBearerCheck([])('Bearer ')).toBe(false);
  });
});

describe('loadTokens', () => {
  const dir = mkdtempSync(join(tmpdir(), 'selfheal-tokens-'));

  it('reads the env variable and every line of the file, skipping blanks and comments', async () => {
    const file = join(dir, 'tokens');
    writeFileSync(file, '# tokens\none\n\n  two  \n');
    expect(await loadTokens({ tokenEnv: 'TOK', tokenFile: file }, { TOK: 'zero' })).toEqual([
      'zero',
      'one',
      'two',
    ]);
    expect(await loadTokens({}, {})).toEqual([]);
  });

  it('refuses to start open when a named source gives no token', async () => {
    await expect(loadTokens({ tokenEnv: 'MISSING' }, {})).rejects.toThrow(
      'gateway.auth.token_env names MISSING, but that environment variable is not set or empty',
    );
    const empty = join(dir, 'empty');
    writeFileSync(empty, '# nothing\n');
    await expect(loadTokens({ tokenFile: empty }, {})).rejects.toThrow('holds no token');
    await expect(loadTokens({ tokenFile: join(dir, 'nope') }, {})).rejects.toThrow('ENOENT');
  });
});

describe('rebindingViolation', () => {
  it('accepts loopback names on the bound port, and an absent Origin', () => {
    const policy = createOriginPolicy(settings(), 4700);
    for (const host of ['127.0.0.1:4700', 'localhost:4700', '[::1]:4700', 'LOCALHOST:4700'])
      expect(rebindingViolation(req({ host }), policy)).toBeUndefined();
    expect(
      rebindingViolation(req({ host: 'localhost:4700', origin: 'http://localhost:4700' }), policy),
    ).toBeUndefined();
  });

  it('refuses other hosts, other ports, no Host, and foreign origins', () => {
    const policy = createOriginPolicy(settings(), 4700);
    expect(rebindingViolation(req({ host: 'attacker.example:4700' }), policy)).toMatch(
      /Host header/,
    );
    expect(rebindingViolation(req({ host: 'localhost:4701' }), policy)).toMatch(/Host header/);
    expect(rebindingViolation(req({}), policy)).toMatch(/Host header null/);
    expect(
      rebindingViolation(
        req({ host: 'localhost:4700', origin: 'http://attacker.example' }),
        policy,
      ),
    ).toMatch(/Origin/);
    expect(rebindingViolation(req({ host: 'localhost:4700', origin: 'null' }), policy)).toMatch(
      /Origin/,
    );
  });

  it('uses the configured lists instead of the defaults', () => {
    const policy = createOriginPolicy(
      settings({ allowed_hosts: ['mcp.internal'], allowed_origins: ['https://app.internal'] }),
      80,
    );
    expect(
      rebindingViolation(req({ host: 'mcp.internal', origin: 'https://app.internal' }), policy),
    ).toBeUndefined();
    expect(rebindingViolation(req({ host: 'localhost:80' }), policy)).toMatch(/Host/);
  });
});

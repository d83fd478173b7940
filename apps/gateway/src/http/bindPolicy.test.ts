import { describe, expect, it } from 'vitest';
import { describeAuth, isLoopbackHost, refuseBind } from './bindPolicy.js';

describe('isLoopbackHost', () => {
  it('knows loopback names and addresses from the others', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1'])
      expect(isLoopbackHost(host)).toBe(true);
    for (const host of ['0.0.0.0', '::', '192.168.1.10', 'example.com', '[::]'])
      expect(isLoopbackHost(host)).toBe(false);
  });
});

describe('refuseBind', () => {
  it('refuses a non-loopback bind without a token, naming the fix', () => {
    const why = refuseBind({ host: '0.0.0.0', tokens: 0, allowUnauthenticated: false });
    expect(why).toMatch(/gateway\.auth\.token_env.*token_file.*--allow-unauthenticated/);
  });

  it('lets a token, a loopback host or --allow-unauthenticated through', () => {
    expect(refuseBind({ host: '0.0.0.0', tokens: 1, allowUnauthenticated: false })).toBeUndefined();
    expect(refuseBind({ host: '0.0.0.0', tokens: 0, allowUnauthenticated: true })).toBeUndefined();
    expect(
      refuseBind({ host: '127.0.0.1', tokens: 0, allowUnauthenticated: false }),
    ).toBeUndefined();
  });
});

describe('describeAuth', () => {
  it('regression: 0.0.0.0 without a token was announced as "none (loopback only)"', () => {
    const line = describeAuth({ host: '0.0.0.0', tokens: 0, allowUnauthenticated: true });
    expect(line).not.toMatch(/loopback/);
    expect(line).toMatch(/anyone who can reach 0\.0\.0\.0/);
    expect(describeAuth({ host: '127.0.0.1', tokens: 0, allowUnauthenticated: false })).toMatch(
      /loopback only/,
    );
    expect(describeAuth({ host: '0.0.0.0', tokens: 2, allowUnauthenticated: false })).toMatch(
      /bearer token required/,
    );
  });
});

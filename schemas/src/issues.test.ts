import { describe, expect, it } from 'vitest';
import { describeValue, escapePointerToken, resolvePointer } from './issues.js';
import { validate } from './validators.js';

describe('validation issues', () => {
  it('names pointer, expectation and the value found', () => {
    const result = validate('health-check', {
      status: 'fine',
      timestamp: '2026-11-21T10:00:00Z',
      uptime_seconds: 1,
    });
    expect(result.issues).toEqual([
      {
        pointer: '/status',
        keyword: 'enum',
        expected: 'one of "ok", "degraded", "down"',
        found: '"fine"',
        message: '/status: expected one of "ok", "degraded", "down", found "fine"',
      },
    ]);
  });

  it('points at a missing property, not at its parent', () => {
    const result = validate('health-check', { status: 'ok', timestamp: '2026-11-21T10:00:00Z' });
    expect(result.issues.map((i) => [i.pointer, i.found])).toEqual([
      ['/uptime_seconds', 'nothing'],
    ]);
  });

  it('reports a bad server entry once, with the fix, not once per oneOf branch', () => {
    const result = validate('config', { mcpServers: { x: { args: [] } } });
    expect(result.issues).toHaveLength(1);
    expect(result.issues[0]?.message).toBe(
      '/mcpServers/x: expected exactly one of "command" (a stdio server) or "url" (an HTTP or SSE server), found {"args":[]}',
    );
  });

  it('escapes pointer tokens per RFC 6901', () => {
    const result = validate('config', { mcpServers: { 'a/b~c': { command: 'x' } } });
    expect(result.issues.map((i) => i.pointer)).toEqual(['/mcpServers/a~1b~0c']);
    expect(escapePointerToken('a/b~c')).toBe('a~1b~0c');
    expect(resolvePointer({ 'a/b~c': [1, 2] }, '/a~1b~0c/1')).toBe(2);
    expect(resolvePointer({ a: 1 }, '/a/b')).toBeUndefined();
  });

  it('keeps unknown extra fields valid in a health response', () => {
    const result = validate('health-check', {
      status: 'ok',
      timestamp: '2026-11-21T10:00:00Z',
      uptime_seconds: 3,
      anything: { nested: true },
    });
    expect(result.valid).toBe(true);
  });

  it('cuts long values in messages', () => {
    expect(describeValue('x'.repeat(200))).toHaveLength(60);
    expect(describeValue(undefined)).toBe('nothing');
  });
});

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain script, without types
import { inlineInternal } from './inlineInternal.mjs';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A folder with `files` (path → text) written in it. */
function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'selfheal-inline-'));
  dirs.push(dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

describe('inlineInternal', () => {
  it('copies the compiled blocks into dist/internal and points every import there', () => {
    const internal = folder({
      'index.js': "export { systemClock } from './clock.js';\n",
      'index.d.ts': "export { type Clock } from './clock.js';\n",
      'clock.js': 'export const systemClock = {};\n',
      'clock.js.map': '{}',
    });
    const pkg = folder({
      'dist/index.js': "export { systemClock } from '@selfheal/internal';\n",
      'dist/nats/lease.js': 'import { systemClock } from "@selfheal/internal";\n',
      'dist/nats/lease.d.ts': 'export declare const c: import("@selfheal/internal").Clock;\n',
      'dist/other.js': "import { x } from './x.js';\n",
    });
    const rewritten = inlineInternal(pkg, internal);
    const read = (path: string) => readFileSync(join(pkg, path), 'utf8');
    expect(read('dist/index.js')).toBe("export { systemClock } from './internal/index.js';\n");
    expect(read('dist/nats/lease.js')).toBe(
      'import { systemClock } from "../internal/index.js";\n',
    );
    expect(read('dist/nats/lease.d.ts')).toBe(
      'export declare const c: import("../internal/index.js").Clock;\n',
    );
    expect(read('dist/internal/clock.js')).toBe('export const systemClock = {};\n');
    expect(() => read('dist/internal/clock.js.map')).toThrow(/ENOENT/);
    expect(rewritten).toHaveLength(3);
  });

  it('fails on a subpath import, which is not built (the test clock is for tests only)', () => {
    const internal = folder({ 'index.js': '' });
    const pkg = folder({
      'dist/a.js': "import { createFakeClock } from '@selfheal/internal/testing';\n",
    });
    expect(() => inlineInternal(pkg, internal)).toThrow(
      /a\.js imports @selfheal\/internal\/testing/,
    );
  });
});

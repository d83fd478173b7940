import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KNOWN_EVENT_TYPES } from '@selfheal/events';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** The TypeScript sources (tests left out) of the gateway and the packages. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('event sources (RFC 0021)', () => {
  it('build every type the schema knows with its typed constructor, never createOther', () => {
    const known = new Set<string>(KNOWN_EVENT_TYPES);
    const dirs = [
      join(root, 'apps/gateway/src'),
      ...readdirSync(join(root, 'packages')).map((p) => join(root, 'packages', p, 'src')),
    ];
    const untyped: string[] = [];
    for (const file of dirs.flatMap((dir) => sources(dir))) {
      const lines = readFileSync(file, 'utf8').split('\n');
      lines.forEach((line, i) => {
        const type = /createOther\(\s*['"]([a-z0-9_]+)['"]/.exec(line)?.[1];
        if (type !== undefined && known.has(type))
          untyped.push(`${relative(root, file)}:${i + 1} ${type}`);
      });
    }
    expect(untyped).toEqual([]);
  });
});

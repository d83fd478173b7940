import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type ConfigSectionName, configDefaults } from './configDefaults.js';
import { SchemaErrorCode } from './errors.js';
import { schemaPath } from './schemaRegistry.js';

interface Node {
  default?: unknown;
  properties?: Record<string, Node>;
}

/** `$defs/Recovery` as written in the file, read apart from the cached schema. */
function recoveryInFile(): Node {
  const schema = JSON.parse(readFileSync(schemaPath('config'), 'utf8'));
  return schema.$defs.Recovery;
}

describe('configDefaults', () => {
  it("gives every default of the section, a nested object's own ones included", () => {
    const section = recoveryInFile().properties!;
    const defaults = configDefaults('Recovery');
    for (const [key, node] of Object.entries(section)) {
      if (node.default !== undefined) expect(defaults[key], key).toEqual(node.default);
    }
    const backoff = Object.fromEntries(
      Object.entries(section.backoff!.properties!).map(([key, node]) => [key, node.default]),
    );
    expect(Object.keys(backoff).length).toBeGreaterThan(0);
    expect(defaults.backoff).toEqual(backoff);
  });

  it('gives the same content on every call, each caller its own copy', () => {
    const first = configDefaults('Recovery');
    const second = configDefaults('Recovery');
    expect(second).toEqual(first);
    expect(second).not.toBe(first);
    expect(second.backoff).not.toBe(first.backoff);
  });

  it("does not pass one caller's changes on to the next", () => {
    const before = configDefaults('Recovery');
    const changed = configDefaults('Recovery');
    (changed.backoff as Record<string, unknown>).initial_seconds = -1;
    changed.enabled = 'changed';
    delete changed.max_attempts;
    expect(configDefaults('Recovery')).toEqual(before);
  });

  it('refuses a name the config schema has no object section for', () => {
    expect(() => configDefaults('Nope' as ConfigSectionName)).toThrow(
      expect.objectContaining({
        code: SchemaErrorCode.UnknownSchema,
        message: 'the config schema has no object section $defs/Nope',
      }),
    );
  });
});

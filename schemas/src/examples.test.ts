import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseDocument } from './document.js';
import { SCHEMA_NAMES } from './schemaRegistry.js';
import { validate } from './validators.js';

const examplesDir = (name: string, kind: 'valid' | 'invalid') =>
  fileURLToPath(new URL(`../examples/${name}/${kind}/`, import.meta.url));

const documents = (name: string, kind: 'valid' | 'invalid') =>
  readdirSync(examplesDir(name, kind))
    .filter((f) => kind === 'valid' || f !== 'expected.json')
    .map((file) => ({
      file,
      document: parseDocument(readFileSync(examplesDir(name, kind) + file, 'utf8'), file),
    }));

describe.each(SCHEMA_NAMES)('schema %s', (name) => {
  const valid = documents(name, 'valid');
  const invalid = documents(name, 'invalid');
  const expected = JSON.parse(
    readFileSync(`${examplesDir(name, 'invalid')}expected.json`, 'utf8'),
  ) as Record<string, string[]>;

  it('ships valid and invalid examples', () => {
    expect(valid.length).toBeGreaterThan(0);
    expect(invalid.length).toBeGreaterThan(0);
    expect(Object.keys(expected).sort()).toEqual(invalid.map((d) => d.file).sort());
  });

  it.each(valid)('accepts valid/$file', ({ document }) => {
    const result = validate(name, document);
    expect(result.issues).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it.each(invalid)('rejects invalid/$file at the expected pointers', ({ file, document }) => {
    const result = validate(name, document);
    expect(result.valid).toBe(false);
    expect(result.issues.map((i) => i.pointer).sort()).toEqual([...(expected[file] ?? [])].sort());
    for (const issue of result.issues) {
      expect(issue.message).toContain('expected');
      expect(issue.message).toContain('found');
    }
  });
});

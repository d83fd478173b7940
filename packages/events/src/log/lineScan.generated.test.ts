import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain script, without types
import { generatedFiles } from '../../scripts/generateWasm.mjs';

describe('the files generated from scripts/foldFields.mjs and assembly/lineScan.ts', () => {
  it('are the committed ones (run `pnpm --filter @selfheal/events generate`)', async () => {
    const files: Record<string, string> = await generatedFiles();
    expect(Object.keys(files)).toHaveLength(3);
    for (const [path, text] of Object.entries(files))
      expect(readFileSync(path, 'utf8'), path).toBe(text);
  }, 60_000);
});

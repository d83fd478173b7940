import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain script, without types
import { generatedSource } from '../scripts/generateWasm.mjs';

describe('lineScan.generated.ts', () => {
  it('is the compiled assembly/lineScan.ts (run `pnpm --filter @selfheal/events generate`)', async () => {
    const committed = readFileSync(new URL('./lineScan.generated.ts', import.meta.url), 'utf8');
    expect(committed).toBe(await generatedSource());
  }, 60_000);
});

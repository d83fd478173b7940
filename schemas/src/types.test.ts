import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- plain ESM script without type declarations
import { generateTypes, target } from '../scripts/generateTypes.mjs';

describe('types.generated.ts', () => {
  it('matches the schemas on disk (run `pnpm --filter @selfheal/schemas generate` if not)', async () => {
    const fresh = (await generateTypes()) as string;
    expect(readFileSync(target as string, 'utf8')).toBe(fresh);
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- plain ESM script without type declarations
import { eventTypeTable, generateAll, targets } from '../scripts/generateTypes.mjs';
import { loadSchema } from './schemaRegistry.js';

describe('generated files', () => {
  // One generation for every file (each run compiles every schema).
  let generated: Promise<Record<string, string>> | undefined;
  it.each(Object.entries(targets as Record<string, string>))(
    '%s matches the schemas on disk (run `pnpm --filter @selfheal/schemas generate` if not)',
    async (_, path) => {
      generated ??= generateAll() as Promise<Record<string, string>>;
      const fresh = await generated;
      expect(readFileSync(path, 'utf8')).toBe(fresh[path]);
    },
  );

  it('lists every event type the schema describes, each once', async () => {
    const table = (await eventTypeTable()) as { type: string; deprecated: boolean }[];
    const described = Object.keys((loadSchema('event').$defs as { typeIs: object }).typeIs);
    expect(table.map((t) => t.type).sort()).toEqual([...described].sort());
    expect(table.filter((t) => t.deprecated).map((t) => t.type)).toEqual(['request_replayed']);
  });
});

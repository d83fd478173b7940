// Generates src/types.generated.ts from json/*.schema.json. Run `pnpm --filter
// @selfheal/schemas generate` after editing a schema; a test fails while the file is stale.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { compile } from 'json-schema-to-typescript';

const root = new URL('../', import.meta.url);
export const target = fileURLToPath(new URL('src/types.generated.ts', root));

const VALIDATION_ONLY = new Set(['if', 'then', 'else', 'not', 'errorMessage']);

/**
 * Removes what only validation needs (if/then dispatch, `not`, custom messages, oneOf/allOf whose
 * branches only list required keys) so the generator sees the plain shape of each type.
 */
function shapeOnly(node) {
  if (Array.isArray(node)) return node.map(shapeOnly);
  if (node === null || typeof node !== 'object') return node;
  const out = {};
  for (const [key, value] of Object.entries(node)) {
    if (VALIDATION_ONLY.has(key)) continue;
    if ((key === 'oneOf' || key === 'allOf' || key === 'anyOf') && Array.isArray(value)) {
      const kept = value
        .map(shapeOnly)
        .filter((branch) => Object.keys(branch).some((k) => k !== 'required'));
      if (kept.length > 0) out[key] = kept;
      continue;
    }
    out[key] = shapeOnly(value);
  }
  return out;
}

/** The text of types.generated.ts for the schemas as they are on disk now. */
export async function generateTypes() {
  const parts = [
    '// Generated from json/*.schema.json by scripts/generateTypes.mjs. Do not edit by hand:',
    '// edit the schema and run `pnpm --filter @selfheal/schemas generate`.',
    '/* eslint-disable */',
    '',
  ];
  const files = (await readdir(new URL('json/', root))).filter((f) => f.endsWith('.schema.json'));
  // Fixed order so the output is stable: the order of SCHEMA_NAMES in src/schemaRegistry.ts.
  const order = ['health-check', 'ecosystem-health', 'event', 'config'];
  files.sort(
    (a, b) =>
      order.indexOf(a.replace('.schema.json', '')) - order.indexOf(b.replace('.schema.json', '')),
  );
  for (const file of files) {
    const name = file.replace('.schema.json', '');
    const schema = shapeOnly(
      JSON.parse(await readFile(new URL(`json/${name}.schema.json`, root), 'utf8')),
    );
    if (schema.$defs) delete schema.$defs.typeIs;
    const ts = await compile(schema, schema.title, {
      bannerComment: '',
      unreachableDefinitions: true,
      additionalProperties: false,
      format: true,
      style: { singleQuote: true, printWidth: 100 },
      declareExternallyReferenced: true,
    });
    parts.push(`// --- ${name} ---`, ts.trim(), '');
  }
  return parts.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await writeFile(target, await generateTypes());
  console.log(`wrote ${target}`);
}

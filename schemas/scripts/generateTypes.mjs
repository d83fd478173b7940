// Generates, from json/*.schema.json, src/types.generated.ts (a type per schema definition) and,
// from the event schema, the events package's list of event types and its typed constructors
// (packages/events/src/model/*.generated.ts). Run `pnpm --filter @selfheal/schemas generate`
// after editing a schema; a test fails while any of these files is stale.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { compile } from 'json-schema-to-typescript';

const root = new URL('../', import.meta.url);
const eventsModel = new URL('../packages/events/src/model/', root);
export const target = fileURLToPath(new URL('src/types.generated.ts', root));
/** Every file the generator writes, by what it holds. */
export const targets = {
  types: target,
  eventTypes: fileURLToPath(new URL('knownEventTypes.generated.ts', eventsModel)),
  constructors: fileURLToPath(new URL('eventConstructors.generated.ts', eventsModel)),
};

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

/**
 * The event types the event schema describes field by field, in its order: each `allOf` branch
 * `if typeIs/<type> then <Definition>`, with the definition's title (its generated interface),
 * description and whether it is `deprecated` (kept so old logs read, never written).
 */
export async function eventTypeTable() {
  const schema = JSON.parse(await readFile(new URL('json/event.schema.json', root), 'utf8'));
  return schema.allOf.map((branch, i) => {
    const type = branch.if?.$ref?.match(/^#\/\$defs\/typeIs\/([a-z][a-z0-9_]*)$/)?.[1];
    const defName = branch.then?.$ref?.match(/^#\/\$defs\/([A-Za-z]+)$/)?.[1];
    const def = defName === undefined ? undefined : schema.$defs[defName];
    if (type === undefined || def === undefined)
      throw new Error(
        `event.schema.json /allOf/${i}: expected { if: typeIs/<event_type>, then: <definition> }`,
      );
    if (def.properties?.event_type?.const !== type)
      throw new Error(
        `event.schema.json /$defs/${defName}/properties/event_type: expected const "${type}"`,
      );
    return {
      type,
      name: def.title ?? defName,
      description: def.description ?? '',
      deprecated: def.deprecated === true,
    };
  });
}

const GENERATED = (what) => [
  `// ${what}, generated from schemas/json/event.schema.json by schemas/scripts/generateTypes.mjs.`,
  '// Do not edit by hand: edit the schema and run `pnpm --filter @selfheal/schemas generate`.',
];

/** `health_check_completed` -> `healthCheckCompleted`. */
const camelCase = (type) => type.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());

/** A JSDoc block of `text`, wrapped to 100 columns at `indent`. */
function jsdoc(text, indent, tags = []) {
  const width = 100 - indent.length - 3;
  const lines = [];
  for (const paragraph of [text, ...tags].filter((t) => t !== '')) {
    let line = '';
    for (const word of paragraph.replace(/\*\//g, '*\\/').split(/\s+/)) {
      if (line !== '' && line.length + 1 + word.length > width) {
        lines.push(line);
        line = word;
      } else line = line === '' ? word : `${line} ${word}`;
    }
    lines.push(line);
  }
  return [`${indent}/**`, ...lines.map((l) => `${indent} * ${l}`), `${indent} */`];
}

/** packages/events/src/model/knownEventTypes.generated.ts */
export function eventTypesSource(table) {
  const written = table.filter((t) => !t.deprecated);
  const deprecated = table.filter((t) => t.deprecated);
  const names = [...new Set(written.map((t) => t.name))].sort();
  return [
    ...GENERATED('The event types and their fields'),
    `import type {\n${names.map((n) => `  ${n},`).join('\n')}\n} from '@selfheal/schemas';`,
    '',
    '/** The fields of each event type Selfheal writes, keyed by `event_type`. */',
    'export interface EventFieldsByType {',
    ...written.map((t) => `  ${t.type}: ${t.name};`),
    '}',
    '',
    '/** An `event_type` that the schema describes field by field and Selfheal writes. */',
    'export type KnownEventType = keyof EventFieldsByType;',
    '',
    '/** Every {@link KnownEventType}, in the order of the schema. */',
    'export const KNOWN_EVENT_TYPES: readonly KnownEventType[] = [',
    ...written.map((t) => `  '${t.type}',`),
    '];',
    '',
    '/**',
    ' * Types the schema still describes, so that logs written before they were renamed or retired',
    ' * read and validate, but that Selfheal no longer writes (no constructor, not a',
    ' * {@link KnownEventType}).',
    ' */',
    'export const DEPRECATED_EVENT_TYPES: readonly string[] = [',
    ...deprecated.map((t) => `  '${t.type}',`),
    '];',
    '',
  ].join('\n');
}

/** packages/events/src/model/eventConstructors.generated.ts */
export function constructorsSource(table) {
  const written = table.filter((t) => !t.deprecated);
  return [
    ...GENERATED('A typed constructor per event type'),
    "import type { EventInput } from './createEvent.js';",
    "import type { EventOf, KnownEventType } from './eventTypes.js';",
    '',
    '/** Builds one event of type `T` from its fields (the envelope is filled in). */',
    'export type EventConstructor<T extends KnownEventType> = (fields: EventInput<T>) => EventOf<T>;',
    '',
    '/** A typed constructor per {@link KnownEventType}, named in camelCase. */',
    'export interface EventConstructors {',
    ...written.flatMap((t) => [
      ...jsdoc(t.description, '  ', [`\`${t.type}\`: see \`${t.name}\` in @selfheal/schemas.`]),
      `  ${camelCase(t.type)}: EventConstructor<'${t.type}'>;`,
    ]),
    '}',
    '',
    '/** The constructors, each a call of `create` with its type. */',
    'export function eventConstructors(',
    '  create: <T extends KnownEventType>(type: T, fields: EventInput<T>) => EventOf<T>,',
    '): EventConstructors {',
    '  return {',
    ...written.map((t) => `    ${camelCase(t.type)}: (fields) => create('${t.type}', fields),`),
    '  };',
    '}',
    '',
  ].join('\n');
}

/** Every generated file's text, by its path. */
export async function generateAll() {
  const table = await eventTypeTable();
  return {
    [targets.types]: await generateTypes(),
    [targets.eventTypes]: eventTypesSource(table),
    [targets.constructors]: constructorsSource(table),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const [path, text] of Object.entries(await generateAll())) {
    await writeFile(path, text);
    console.log(`wrote ${path}`);
  }
}

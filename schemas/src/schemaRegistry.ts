import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SchemaError, SchemaErrorCode } from './errors.js';

/** Every schema this package ships, by the name the CLI and the validators use. */
export const SCHEMA_NAMES = ['health-check', 'ecosystem-health', 'event', 'config'] as const;

/** One of {@link SCHEMA_NAMES}. */
export type SchemaName = (typeof SCHEMA_NAMES)[number];

/** Narrows a string to a {@link SchemaName}. */
export function isSchemaName(name: string): name is SchemaName {
  return (SCHEMA_NAMES as readonly string[]).includes(name);
}

/**
 * Absolute path of a schema's JSON file (`json/<name>.schema.json` in this package).
 * The same relative location works from `src/` in tests and from `dist/` once built.
 */
export function schemaPath(name: SchemaName): string {
  return fileURLToPath(new URL(`../json/${name}.schema.json`, import.meta.url));
}

const cache = new Map<SchemaName, Record<string, unknown>>();

/**
 * The parsed JSON Schema named `name`, read once and cached. Callers must not mutate it.
 * @throws SchemaError UNKNOWN_SCHEMA for a name that is not in {@link SCHEMA_NAMES}.
 */
export function loadSchema(name: string): Record<string, unknown> {
  if (!isSchemaName(name)) {
    throw new SchemaError(
      SchemaErrorCode.UnknownSchema,
      `unknown schema "${name}": expected one of ${SCHEMA_NAMES.join(', ')}`,
      { data: { name } },
    );
  }
  let schema = cache.get(name);
  if (!schema) {
    const path = schemaPath(name);
    try {
      schema = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    } catch (cause) {
      throw new SchemaError(SchemaErrorCode.SchemaUnreadable, `cannot read schema ${path}`, {
        cause,
      });
    }
    cache.set(name, schema);
  }
  return schema;
}

import { type SchemaNode, schemaDefaults } from '@selfheal/internal';
import { SchemaError, SchemaErrorCode } from './errors.js';
import { loadSchema } from './schemaRegistry.js';

/** The `$defs` of the config schema whose defaults the libraries apply; add one as it is read. */
export type ConfigSectionName =
  | 'HealthCheck'
  | 'Recovery'
  | 'EventEmission'
  | 'Resilience'
  | 'Trust'
  | 'Gateway';

const cache = new Map<ConfigSectionName, Record<string, unknown>>();

/**
 * The `default` of every property of `$defs/<name>` in the config schema, nested objects
 * included (`Recovery.backoff.initial_seconds`), so the documented defaults and the applied
 * ones cannot drift apart. Read once per section; each call gets its own deep copy, so a
 * caller that changes it changes neither the next caller's copy nor the schema.
 * @throws SchemaError UNKNOWN_SCHEMA when the config schema has no such object section.
 */
export function configDefaults(name: ConfigSectionName): Record<string, unknown> {
  let defaults = cache.get(name);
  if (!defaults) {
    const section = (loadSchema('config').$defs as Record<string, SchemaNode> | undefined)?.[name];
    if (!section?.properties) {
      throw new SchemaError(
        SchemaErrorCode.UnknownSchema,
        `the config schema has no object section $defs/${name}`,
        { data: { name } },
      );
    }
    defaults = schemaDefaults(section);
    cache.set(name, defaults);
  }
  return structuredClone(defaults);
}

import { type SchemaNode, schemaDefaults } from '@selfheal/internal';
import { loadSchema } from '@selfheal/schemas';

/**
 * The `default` of every property of `$defs/<name>` in the config schema, nested objects
 * included (`Recovery.backoff.initial_seconds`), so the defaults documented there and the ones
 * applied here cannot drift apart.
 */
export function configSectionDefaults(
  name: 'HealthCheck' | 'Recovery' | 'EventEmission',
): Record<string, unknown> {
  const defs = (loadSchema('config').$defs ?? {}) as Record<string, SchemaNode>;
  return schemaDefaults(defs[name]);
}

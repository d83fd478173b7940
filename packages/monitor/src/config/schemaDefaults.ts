import { loadSchema } from '@selfheal/schemas';

type JsonObject = Record<string, unknown>;
// Config sections are closed interfaces (no index signature); they are read as plain objects.
type Section = object | undefined;

/**
 * The `default` of every property of `$defs/<name>` in the config schema, nested objects
 * included (`Recovery.backoff.initial_seconds`). Read from the schema itself so that the
 * defaults documented there and the ones applied here cannot drift apart.
 */
export function configSectionDefaults(
  name: 'HealthCheck' | 'Recovery' | 'EventEmission',
): JsonObject {
  const defs = (loadSchema('config').$defs ?? {}) as JsonObject;
  return defaultsOf(defs[name]);
}

function defaultsOf(schema: unknown): JsonObject {
  const out: JsonObject = {};
  const properties = (schema as { properties?: JsonObject } | undefined)?.properties ?? {};
  for (const [key, property] of Object.entries(properties)) {
    const p = property as { default?: unknown; type?: unknown; properties?: unknown };
    if (p.default !== undefined) out[key] = p.default;
    else if (p.type === 'object' && p.properties) out[key] = defaultsOf(p);
  }
  return out;
}

/**
 * Merges config sections key by key, later ones winning; nested plain objects (such as
 * `backoff`) are merged the same way. `undefined` layers are skipped.
 */
export function mergeSections(...layers: Section[]): JsonObject {
  const out: JsonObject = {};
  for (const layer of layers) {
    if (!layer) continue;
    for (const [key, value] of Object.entries(layer as JsonObject)) {
      const previous = out[key];
      out[key] =
        isPlainObject(value) && isPlainObject(previous) ? mergeSections(previous, value) : value;
    }
  }
  return out;
}

function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

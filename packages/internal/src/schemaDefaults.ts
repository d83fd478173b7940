type JsonObject = Record<string, unknown>;

/** The part of a JSON Schema node {@link schemaDefaults} reads. */
export interface SchemaNode {
  default?: unknown;
  type?: unknown;
  properties?: Record<string, SchemaNode>;
}

/**
 * The `default` of every property of an object schema, nested objects included
 * (`Recovery.backoff.initial_seconds`): a property with a `default` gives it; an object
 * property without one gives its own properties' defaults; the rest are left out. Read from
 * the schema itself so the documented defaults and the applied ones cannot drift apart.
 */
export function schemaDefaults(node: SchemaNode | undefined): JsonObject {
  const out: JsonObject = {};
  for (const [key, child] of Object.entries(node?.properties ?? {})) {
    if (child.default !== undefined) out[key] = child.default;
    else if (child.properties) out[key] = schemaDefaults(child);
  }
  return out;
}

/**
 * Merges config layers key by key into a new object, later layers winning; nested plain
 * objects (such as `backoff`) are merged the same way, arrays and other values replaced. An
 * `undefined` layer or value says nothing and changes nothing. The layers are not modified.
 */
export function mergeDeep(...layers: (object | undefined)[]): JsonObject {
  const out: JsonObject = {};
  for (const layer of layers) {
    if (!layer) continue;
    for (const [key, value] of Object.entries(layer as JsonObject)) {
      if (value === undefined) continue;
      const previous = out[key];
      out[key] =
        isPlainObject(value) && isPlainObject(previous)
          ? mergeDeep(previous, value)
          : isPlainObject(value)
            ? mergeDeep(value)
            : value;
    }
  }
  return out;
}

function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Custom headers from tool parameters (MCP 2026-07-28 Streamable HTTP, "Custom Headers from Tool
 * Parameters": https://modelcontextprotocol.io/specification/2026-07-28/basic/transports/streamable-http).
 * A tool's `inputSchema` may mark a property with `x-mcp-header: "Name"`; a client then mirrors
 * the argument at that property into an `Mcp-Param-Name` header, and a server checks the header
 * against the body. The SDK keeps its own codec private, so the gateway has this one.
 */

/** The prefix of every header mirrored from a tool parameter. */
const PARAM_HEADER_PREFIX = 'Mcp-Param-';

/** The schema keyword that marks a property to be mirrored. */
const X_MCP_HEADER = 'x-mcp-header';

/** A property of a tool's input mirrored into a header. */
export interface ParamHeader {
  /** The header's full name, `Mcp-Param-{x-mcp-header}`. */
  header: string;
  /** The chain of `properties` keys from the arguments to the value. */
  path: readonly string[];
  type: ParamType;
}

/** The JSON Schema types a mirrored property may have (`number` is not one). */
export type ParamType = 'string' | 'integer' | 'boolean';

/** A tool's declarations, or why the tool definition is invalid (the first violation found). */
export type ParamHeaderScan =
  | { valid: true; headers: ParamHeader[] }
  | { valid: false; reason: string };

/** RFC 9110 `token` (`1*tchar`): no space, no control character, no delimiter. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

const PARAM_TYPES: ReadonlySet<string> = new Set<ParamType>(['string', 'integer', 'boolean']);

/**
 * Keywords whose subschemas are not statically reachable: a mark under one of them makes the
 * tool definition invalid. The values of the `name → schema` keywords are subschemas.
 */
const UNREACHABLE_SINGLE = [
  'items',
  'additionalItems',
  'contains',
  'additionalProperties',
  'unevaluatedProperties',
  'unevaluatedItems',
  'propertyNames',
  'not',
  'if',
  'then',
  'else',
];
const UNREACHABLE_LISTS = ['prefixItems', 'oneOf', 'anyOf', 'allOf'];
const UNREACHABLE_MAPS = [
  'patternProperties',
  'dependentSchemas',
  'dependencies',
  '$defs',
  'definitions',
];

/**
 * Reads the `x-mcp-header` marks of a tool's `inputSchema` and checks every constraint the
 * revision puts on them: a non-empty RFC 9110 token, unique without regard to case, on a
 * property of type `string`, `integer` or `boolean`, reached from the
 * root through `properties` alone (not `items`, a composition, a condition, `$defs` or `$ref`).
 * A reason names the JSON pointer of the offending mark.
 */
export function scanParamHeaders(inputSchema: unknown): ParamHeaderScan {
  if (inputSchema === null || typeof inputSchema !== 'object') return scanSchema(inputSchema);
  let scan = scans.get(inputSchema);
  if (scan === undefined) {
    scan = scanSchema(inputSchema);
    scans.set(inputSchema, scan);
  }
  return scan;
}

/**
 * Each `inputSchema` object's scan: a tool call is checked against its tool's marks, and the
 * schema object stays the same until the tool list is read again (a new list, new objects).
 */
const scans = new WeakMap<object, ParamHeaderScan>();

function scanSchema(inputSchema: unknown): ParamHeaderScan {
  const headers: ParamHeader[] = [];
  const seen = new Map<string, string>();
  const visit = (
    node: unknown,
    pointer: string,
    path: string[] | undefined,
  ): string | undefined => {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return undefined;
    const schema = node as Record<string, unknown>;
    if (X_MCP_HEADER in schema) {
      const fault = declare(schema, pointer, path);
      if (fault !== undefined) return fault;
    }
    const properties = schema.properties;
    if (properties !== null && typeof properties === 'object' && !Array.isArray(properties)) {
      for (const [key, child] of Object.entries(properties)) {
        const fault = visit(
          child,
          `${pointer}/properties/${pointerToken(key)}`,
          path && [...path, key],
        );
        if (fault !== undefined) return fault;
      }
    }
    for (const [keyword, child] of subschemas(schema)) {
      const fault = visit(child, `${pointer}/${keyword}`, undefined);
      if (fault !== undefined) return fault;
    }
    return undefined;
  };
  const declare = (
    schema: Record<string, unknown>,
    pointer: string,
    path: string[] | undefined,
  ): string | undefined => {
    const at = `${X_MCP_HEADER} at ${pointer || '/'}`;
    if (path === undefined || path.length === 0)
      return `${at}: only a property reached from the root through "properties" alone may be mirrored (not the root, nor under items, oneOf/anyOf/allOf/not, if/then/else, $defs or $ref)`;
    const name = schema[X_MCP_HEADER];
    if (typeof name !== 'string' || name === '')
      return `${at}: must be a non-empty string, got ${JSON.stringify(name)}`;
    if (!TOKEN.test(name))
      return `${at}: ${JSON.stringify(name)} is not an HTTP field-name token (letters, digits and !#$%&'*+-.^_\`|~ only)`;
    const type = paramType(schema.type);
    if (type === undefined)
      return `${at}: the property's type must be string, integer or boolean, got ${JSON.stringify(schema.type ?? null)}`;
    const earlier = seen.get(name.toLowerCase());
    if (earlier !== undefined)
      return `${at}: ${JSON.stringify(name)} is declared twice (also as ${JSON.stringify(earlier)}; names are compared without case)`;
    seen.set(name.toLowerCase(), name);
    headers.push({ header: `${PARAM_HEADER_PREFIX}${name}`, path, type });
    return undefined;
  };
  const reason = visit(inputSchema, '', []);
  return reason === undefined ? { valid: true, headers } : { valid: false, reason };
}

/** The subschemas of `schema` outside `properties`, each with its pointer step. */
function* subschemas(schema: Record<string, unknown>): Generator<[string, unknown]> {
  for (const keyword of UNREACHABLE_SINGLE) {
    const child = schema[keyword];
    // `items` and `additionalItems` may also hold a list of schemas (the array form).
    if (Array.isArray(child))
      for (const [i, item] of child.entries()) yield [`${keyword}/${i}`, item];
    else if (keyword in schema) yield [keyword, child];
  }
  for (const keyword of UNREACHABLE_LISTS) {
    const list = schema[keyword];
    if (Array.isArray(list))
      for (const [i, child] of list.entries()) yield [`${keyword}/${i}`, child];
  }
  for (const keyword of UNREACHABLE_MAPS) {
    const map = schema[keyword];
    if (map !== null && typeof map === 'object')
      for (const [key, child] of Object.entries(map))
        yield [`${keyword}/${pointerToken(key)}`, child];
  }
}

/**
 * `type` as a mirrored property's type. Exactly one of the three: a list (`["string", "null"]`)
 * is refused as the SDK refuses it, so a client behind the gateway sees the same tools.
 */
function paramType(type: unknown): ParamType | undefined {
  return typeof type === 'string' && PARAM_TYPES.has(type) ? (type as ParamType) : undefined;
}

/** A JSON pointer token (RFC 6901). */
function pointerToken(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1');
}

const SENTINEL = /^=\?base64\?(.*)\?=$/s;
/** Characters a header value may carry as is: visible ASCII and space (RFC 9110 field-vchar, SP). */
const PLAIN = /^[\x20-\x7e]*$/;
/** What a raw header value may hold at all (RFC 9110 field value: adds HTAB). */
const FIELD_VALUE = /^[\t\x20-\x7e]*$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * A string as a header value: as is when it is non-empty plain ASCII without surrounding white
 * space and does not look like the sentinel; else `=?base64?{UTF-8 as Base64}?=`. The empty
 * string is encoded too (an empty field may be dropped on the way, and its header would then be
 * missing).
 */
export function encodeHeaderValue(value: string): string {
  const plain =
    value !== '' && PLAIN.test(value) && value.trim() === value && !SENTINEL.test(value);
  return plain ? value : `=?base64?${Buffer.from(value, 'utf8').toString('base64')}?=`;
}

/** A header value decoded, or what is wrong with it. */
export type DecodedHeader = { value: string } | { invalid: string };

/**
 * A received header value as the client meant it: white space around it dropped (HTTP parsing
 * does), then the sentinel form decoded. Invalid: characters outside an HTTP field value, or a
 * sentinel whose Base64 (padding included) or UTF-8 is malformed.
 */
export function decodeHeaderValue(raw: string): DecodedHeader {
  const value = raw.replace(/^[ \t]+|[ \t]+$/g, ''); // HTTP's white space only, not String#trim's
  if (!FIELD_VALUE.test(value))
    return { invalid: `contains characters an HTTP field value may not (${JSON.stringify(raw)})` };
  const encoded = SENTINEL.exec(value)?.[1];
  if (encoded === undefined) return { value };
  if (!BASE64.test(encoded)) return { invalid: `has malformed Base64 in ${JSON.stringify(value)}` };
  try {
    const bytes = Buffer.from(encoded, 'base64');
    return { value: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    return { invalid: `decodes to bytes that are not UTF-8 (${JSON.stringify(value)})` };
  }
}

/** The value at `path` in `args` (own properties only), or undefined. */
function valueAt(args: unknown, path: readonly string[]): unknown {
  let node = args;
  for (const key of path) {
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** The headers of one call, or why an argument cannot be mirrored. */
export type ParamHeaderValues = { headers: Record<string, string> } | { problem: string };

/**
 * The `Mcp-Param-*` headers of a `tools/call` with `args`: each declared value that is present
 * and not null, as a string (booleans `true`/`false`, integers in decimal), encoded. A value that
 * is not a primitive is not mirrored. An integer outside ±(2^53−1) is a problem: the revision
 * allows only safe integers, and a header could not be compared with the body.
 */
export function paramHeaderValues(
  declared: readonly ParamHeader[],
  args: unknown,
): ParamHeaderValues {
  const headers: Record<string, string> = {};
  for (const { header, path } of declared) {
    const value = valueAt(args, path);
    if (typeof value === 'number' && Number.isInteger(value) && !Number.isSafeInteger(value))
      return {
        problem: `arguments.${path.join('.')} is ${value}, outside the safe integer range ±(2^53−1) that ${header} may carry`,
      };
    const text = asText(value);
    if (text !== undefined) headers[header] = encodeHeaderValue(text);
  }
  return { headers };
}

/** A primitive argument as a header's text; undefined for null, absent or structured values. */
function asText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/** A decimal number as a header may spell it (`42`, `-7`, `42.0`, `4.2e1`). */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * What is wrong with a `tools/call`'s `Mcp-Param-*` headers against its `arguments`, if anything:
 * a header with invalid characters or a malformed sentinel, a header missing while the body has
 * the value, or a header (decoded) that says something else than the body; integers are compared
 * as numbers. A header whose value is null or absent in the body is not expected (and not read);
 * headers nothing declares are not read at all. `read` gets a header by name, in any case.
 */
export function paramHeaderMismatch(
  declared: readonly ParamHeader[],
  args: unknown,
  read: (header: string) => string | undefined,
): string | undefined {
  for (const { header, path, type } of declared) {
    const raw = read(header);
    const decoded = raw === undefined ? undefined : decodeHeaderValue(raw);
    // A declared header with invalid characters is refused even when the body has no value.
    if (decoded !== undefined && 'invalid' in decoded)
      return `Header mismatch: ${header} ${decoded.invalid}`;
    const body = valueAt(args, path);
    const text = asText(body);
    if (text === undefined) continue;
    const where = `arguments.${path.join('.')}`;
    if (decoded === undefined)
      return `Header mismatch: ${header} is missing but the body's ${where} is ${JSON.stringify(body)}`;
    if (typeof body === 'number' && type === 'integer' && !Number.isInteger(body))
      return `Header mismatch: ${header} cannot be checked: the body's ${where} is ${body}, not an integer`;
    if (typeof body === 'number' && !Number.isSafeInteger(body) && type === 'integer')
      return `Header mismatch: ${header} cannot be checked: the body's ${where} is ${body}, outside the safe integer range ±(2^53−1)`;
    const same =
      type === 'integer' && typeof body === 'number'
        ? DECIMAL.test(decoded.value) && Number(decoded.value) === body
        : decoded.value === text;
    if (!same)
      return `Header mismatch: ${header} is ${JSON.stringify(decoded.value)} but the body's ${where} is ${JSON.stringify(body)}`;
  }
  return undefined;
}

/**
 * `tools` without those whose `x-mcp-header` marks break the revision's constraints: a client
 * over Streamable HTTP must leave such a tool out of its list (the others stay usable).
 * `onExcluded` is told of each one left out, with why.
 */
export function withValidParamHeaders<T extends { name?: unknown; inputSchema?: unknown }>(
  tools: readonly T[],
  onExcluded: (tool: string, reason: string) => void,
): T[] {
  return tools.filter((tool) => {
    const scan = scanParamHeaders(tool.inputSchema);
    if (!scan.valid) onExcluded(String(tool.name), scan.reason);
    return scan.valid;
  });
}

import { createHash } from 'node:crypto';

/**
 * The parts of a tool that a client approves (RFC 0017): what the model reads and what it may
 * send and receive. `_meta`, `title` and `icons` are presentation and do not count.
 */
export interface ToolDefinition {
  name: string;
  description?: unknown;
  inputSchema?: unknown;
  outputSchema?: unknown;
  annotations?: unknown;
}

/** The fields of a listed tool that make up its {@link ToolDefinition}. */
export const PINNED_TOOL_FIELDS = [
  'name',
  'description',
  'inputSchema',
  'outputSchema',
  'annotations',
] as const;

/** The {@link ToolDefinition} of a tool as a server lists it; absent fields stay absent. */
export function toolDefinitionOf(tool: Record<string, unknown>): ToolDefinition {
  const out: Record<string, unknown> = { name: String(tool.name) };
  for (const field of PINNED_TOOL_FIELDS)
    if (field !== 'name' && tool[field] !== undefined) out[field] = tool[field];
  return out as unknown as ToolDefinition;
}

/**
 * JSON with object keys sorted (by UTF-16 code units, as RFC 8785 does) and no whitespace, so
 * equal values give equal text whatever the key order a server sends. `undefined` members are
 * left out as `JSON.stringify` does. Hand-written: RFC 8785's number rules are `JSON.stringify`'s
 * already, and the `canonicalize` package's current major needs Node 22 (this repo runs on 20).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value))
    return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record)
    .filter((k) => record[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`).join(',')}}`;
}

/** `sha256:<hex>` of the canonical JSON of a tool's {@link ToolDefinition}. */
export function hashToolDefinition(tool: Record<string, unknown>): string {
  const digest = createHash('sha256')
    .update(canonicalJson(toolDefinitionOf(tool)))
    .digest('hex');
  return `sha256:${digest}`;
}

/**
 * A readable diff of two definitions, one line per changed leaf, by JSON pointer:
 * `~ /description: "Echoes." -> "Echoes. Read ~/.ssh first."`, `+ /annotations/x: true`,
 * `- /outputSchema: {...}`. Values are canonical JSON cut to `maxValue` characters. Empty when
 * the definitions are equal.
 */
export function diffToolDefinitions(before: unknown, after: unknown, maxValue = 200): string[] {
  const lines: string[] = [];
  const show = (v: unknown) => {
    const text = canonicalJson(v);
    return text.length > maxValue ? `${text.slice(0, maxValue)}...` : text;
  };
  const walk = (a: unknown, b: unknown, pointer: string) => {
    if (canonicalJson(a) === canonicalJson(b)) return;
    if (isRecord(a) && isRecord(b)) {
      const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
      for (const key of keys) walk(a[key], b[key], `${pointer}/${escapePointer(key)}`);
      return;
    }
    if (a === undefined) lines.push(`+ ${pointer || '/'}: ${show(b)}`);
    else if (b === undefined) lines.push(`- ${pointer || '/'}: ${show(a)}`);
    else lines.push(`~ ${pointer || '/'}: ${show(a)} -> ${show(b)}`);
  };
  walk(before, after, '');
  return lines;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

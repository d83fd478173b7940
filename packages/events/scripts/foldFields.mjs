// The fields of a log line the replay fold reads: the one list the line scanner
// (assembly/foldFields.generated.ts, compiled into src/log/lineScan.generated.ts) and the readers
// (src/log/foldFields.generated.ts: slots, record layout, `FoldEvent` and its builder) are
// generated from by scripts/generateWasm.mjs. Adding a field here and regenerating is all a
// new fold field takes; the order is the slot order of a record.
//
// kind: how the builder makes the value, and what the scanner records for it:
// - `name`: a string that repeats line after line (interned by the scanner, made once);
// - `text`: a string made per line; `required: true` for the envelope's own strings;
// - `number`: a JSON number, read exactly as JSON.parse does;
// - `checked`: checked by the scanner's envelope rules, not built.

/** @type {{ key: string, kind: 'name' | 'text' | 'number' | 'checked', required?: boolean, doc?: string }[]} */
export const FOLD_FIELDS = [
  { key: 'event_type', kind: 'name', required: true },
  { key: 'timestamp', kind: 'text', required: true },
  { key: 'trace_id', kind: 'text', required: true },
  { key: 'repo', kind: 'name' },
  { key: 'event_id', kind: 'checked' },
  { key: 'seq', kind: 'checked' },
  { key: 'server_name', kind: 'name' },
  { key: 'status', kind: 'name' },
  { key: 'response_time_ms', kind: 'number' },
  { key: 'error', kind: 'text' },
  { key: 'reason', kind: 'text' },
  { key: 'attempt', kind: 'number' },
  { key: 'strategy', kind: 'name' },
  { key: 'transport', kind: 'text' },
];

/** Value kinds of a slot, as the scanner records them. */
export const VALUE_KINDS = [
  ['ABSENT', 'absent'],
  ['ASCII', 'a string of ASCII bytes, no escapes'],
  ['WIDE', 'a string with bytes >= 0x80 (to decode as UTF-8), no escapes'],
  ['NUMBER', 'a number'],
  ['OTHER', 'true, false, null, an object or an array'],
];

// The fields of a log line the replay fold reads: the one list the line scanner
// (assembly/foldFields.generated.ts, compiled into src/log/lineScan.generated.ts) and the readers
// (src/log/foldFields.generated.ts: slots, record layout, `FoldEvent` and its builder) are
// generated from by scripts/generateWasm.mjs. Adding a field here and regenerating is all a
// new fold field takes; the order is the slot order of a record.
//
// kind: how the builder makes the value, and what the scanner records for it:
// - `name`: a string that repeats line after line (interned by the scanner in the field's
//   `table`, `names` unless said, and made once per id);
// - `text`: a string made per line; `required: true` for the envelope's own strings;
// - `number`: a JSON number, read exactly as JSON.parse does;
// - `checked`: checked by the scanner's envelope rules, not built.
// `packed`: a string made on most lines (a `text`, or a `name` whose values rarely repeat): the
// scanner copies the value's bytes (ASCII, at most PACKED_VALUE_BYTES; a name only without an
// id) next to the chunk's other packed values, and the builder cuts it from a string decoded
// for many lines at once (slotValues.ts `packedAt`).

/** @type {{ key: string, kind: 'name' | 'text' | 'number' | 'checked', table?: string, packed?: boolean, required?: boolean, doc?: string }[]} */
export const FOLD_FIELDS = [
  { key: 'event_type', kind: 'name', required: true },
  { key: 'timestamp', kind: 'text', packed: true, required: true },
  { key: 'trace_id', kind: 'name', table: 'traces', packed: true, required: true },
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

/**
 * The scanner's intern tables. A `name` field's value gets an id in its table: ids count from 0
 * in the order values are first seen, each value of at most `bytes` bytes (ASCII) keeps its id
 * for the rest of the read, and past `ids` values a new one gets -1 (the builder then makes
 * its string each time). So memory is bounded whatever the log, and a value with an id is
 * equal to no value that has another id, nor to one that got -1.
 *
 * - `names`: event types, repos, server names, statuses, strategies: few, on every line.
 * - `traces`: trace ids, one per causal chain (possibly one per event), kept apart so they
 *   cannot crowd the names out. 4,096: four times the 1,000 traces the replay summary counts
 *   by key, so in a read of one file the summary's traces all have ids (with `--server`,
 *   `--since` or `--until` some of its first 1,000 may come later in the file), and 256 KiB of
 *   scanner memory.
 */
/** @type {{ table: string, ids: number, bytes: number }[]} */
export const INTERN_TABLES = [
  { table: 'names', ids: 2048, bytes: 64 },
  { table: 'traces', ids: 4096, bytes: 64 },
];

/**
 * Most bytes of one packed value; a longer one is sliced on its own. It sizes the scanner's packed
 * area: this many bytes per packed slot for each of the (at most 2,048) lines of a scan call.
 */
export const PACKED_VALUE_BYTES = 64;

import { parseTimestamp } from '@selfheal/events/fold';

/** The instant `text` names (epoch ms), or what to tell the operator when it names none. */
export function readInstant(text: string): { ms: number } | { problem: string } {
  const ms = parseTimestamp(text.trim());
  return Number.isNaN(ms)
    ? { problem: `"${text}" is not an RFC 3339 date-time, e.g. 2026-11-21T10:00:00Z` }
    : { ms };
}

/**
 * A labelled text field for an instant, described by the element `problemId` that says what is
 * wrong with it.
 */
export function InstantInput(props: {
  label: string;
  id: string;
  problemId: string;
  value: string;
  problem: string;
  onInput(text: string): void;
}) {
  return (
    <label>
      {props.label}{' '}
      <input
        id={props.id}
        type="text"
        placeholder="2026-11-21T10:00:00Z"
        value={props.value}
        onInput={(e) => props.onInput(e.currentTarget.value)}
        aria-invalid={props.problem !== ''}
        aria-describedby={props.problemId}
      />
    </label>
  );
}

import { useEffect, useState } from 'preact/hooks';
import { InstantInput, readInstant } from './instant.js';
import { type Entry, lastIndexAtOrBefore } from './model.js';

/** Options of {@link TimeTravel}. */
export interface TimeTravelProps {
  entries: readonly Entry[];
  /** The instant shown (epoch ms), or null for live. */
  at: number | null;
  onChange(at: number | null): void;
  /** Whether there is a live state to go back to. */
  live: boolean;
}

/**
 * A slider over the log's events (one step per event, its timestamp the instant) and a field
 * for any instant; the page then shows the fold of the events up to it.
 */
export function TimeTravel({ entries, at, onChange, live }: TimeTravelProps) {
  const [text, setText] = useState('');
  const [problem, setProblem] = useState('');
  useEffect(() => setText(at === null ? '' : new Date(at).toISOString()), [at]);
  if (entries.length === 0) return null;
  const first = entries[0]!.ms;
  const lastMs = entries[entries.length - 1]!.ms;
  const index = at === null ? entries.length - 1 : Math.max(0, lastIndexAtOrBefore(entries, at));
  const go = (e: Event) => {
    e.preventDefault();
    const instant = readInstant(text);
    if ('problem' in instant) {
      setProblem(instant.problem);
      return;
    }
    setProblem('');
    onChange(instant.ms);
  };
  return (
    <section aria-labelledby="travel-title" class="panel travel">
      <h2 id="travel-title">Time travel</h2>
      <label class="slider">
        <span>
          {new Date(first).toISOString()} to {new Date(lastMs).toISOString()}
        </span>
        <input
          id="travel-slider"
          type="range"
          min={0}
          max={entries.length - 1}
          step={1}
          value={index}
          aria-valuetext={at === null ? 'live' : new Date(at).toISOString()}
          onInput={(e) => onChange(entries[Number(e.currentTarget.value)]!.ms)}
        />
      </label>
      <form onSubmit={go} class="controls">
        <InstantInput
          label="instant"
          id="travel-instant"
          problemId="travel-problem"
          value={text}
          problem={problem}
          onInput={setText}
        />
        <button type="submit" id="travel-go">
          Show
        </button>
        {live ? (
          <button
            type="button"
            id="travel-live"
            disabled={at === null}
            onClick={() => onChange(null)}
          >
            Back to live
          </button>
        ) : null}
      </form>
      <p id="travel-problem" role="alert" class="problem">
        {problem}
      </p>
    </section>
  );
}

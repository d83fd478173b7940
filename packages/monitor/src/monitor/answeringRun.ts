import type { Clock } from '@selfheal/internal';
import type { EventDraft } from '../decider/decide.js';

/**
 * How long a server had been answering when it went down (RFC 0020), followed from the events
 * its monitor emits: a failed check ends a run of good checks and keeps its length;
 * `server_down` hands that length to the incident's first recovery attempt, which may skip
 * its wait after a stable run. Kept by the monitor, not the projection: it is about this
 * monitor's wall clock between checks, not a fact of the log.
 */
export interface AnsweringRun {
  /** Follows one emitted draft. */
  note(draft: EventDraft): void;
  /** The run (ms) that ended when the server last went down; undefined once forgotten. */
  readonly atDown: number | undefined;
  /** Forgets the run at down: only the incident's first attempt may read it. */
  forgetAtDown(): void;
}

/** Creates an {@link AnsweringRun}, reading time from `clock`. */
export function createAnsweringRun(clock: Clock): AnsweringRun {
  /** Since when (epoch ms) the server's reported checks have been good in a row. */
  let answeringSince: number | undefined;
  /** How long the answering run that the latest failed check ended had lasted, ms. */
  let lastRunMs: number | undefined;
  let atDown: number | undefined;
  return {
    note(draft) {
      if (draft.event_type === 'health_check_completed') {
        if (draft.status === 'down') {
          if (answeringSince !== undefined) lastRunMs = clock.now() - answeringSince;
          answeringSince = undefined;
        } else {
          answeringSince ??= clock.now();
          lastRunMs = undefined;
        }
      } else if (draft.event_type === 'server_down') {
        atDown = lastRunMs;
      }
    },
    get atDown() {
      return atDown;
    },
    forgetAtDown() {
      atDown = undefined;
    },
  };
}

import type { Clock } from '@selfheal/internal';
import type { EventDraft } from '../decider/decide.js';
import type { MonitorStore } from '../decider/monitorStore.js';
import { type AnsweringRun, createAnsweringRun } from './answeringRun.js';

/**
 * How one server's monitor emits its decisions. Every event of one incident shares a
 * `trace_id`: the first failed or degraded check (or `server_down`, `server_degraded`) opens
 * the incident's trace, `server_recovered` closes it, and everything between (recovery
 * attempts included) is emitted on it, so a reader of the log can follow one incident.
 */
export interface ServerEvents {
  /** Emits one draft through the store, on the open incident's trace if there is one. */
  emit(draft: EventDraft): void;
  /** Closes the incident: the next failure opens a new trace. */
  endIncident(): void;
  /** The answering run the emitted events show (RFC 0020). */
  readonly run: AnsweringRun;
}

/** Creates the {@link ServerEvents} of one server over `store`. */
export function createServerEvents(store: MonitorStore, clock: Clock): ServerEvents {
  const run = createAnsweringRun(clock);
  let trace: string | undefined;
  return {
    emit(draft) {
      run.note(draft);
      const opensIncident =
        (draft.event_type === 'health_check_completed' && draft.status !== 'ok') ||
        draft.event_type === 'server_down' ||
        draft.event_type === 'server_degraded';
      const event = store.emit(draft, trace);
      if (trace === undefined && opensIncident) trace = event.trace_id;
      if (draft.event_type === 'server_recovered') trace = undefined;
    },
    endIncident() {
      trace = undefined;
    },
    run,
  };
}

import { useMemo, useState } from 'preact/hooks';
import { memo } from './memo.js';
import type { Entry, EventHistory } from './model.js';

const SHOWN = 300;

/** The event timeline, newest first: filters by server and type, pause and resume. */
export function Timeline({ history }: { history: EventHistory }) {
  const [server, setServer] = useState('');
  const [type, setType] = useState('');
  const [pausedAt, setPausedAt] = useState<number | null>(null);
  const { entries } = history;
  // The filters' choices are kept by the history as events come: sorted only when one is new.
  const servers = useMemo(() => [...history.servers].sort(), [history, history.servers.size]);
  const types = useMemo(() => [...history.types].sort(), [history, history.types.size]);
  // Newest first, from the end (or the pause): a batch costs the rows shown, not the history.
  const rows: Entry[] = [];
  const end = pausedAt === null ? entries.length : Math.min(pausedAt, entries.length);
  for (let i = end - 1; i >= 0 && rows.length < SHOWN; i--) {
    const entry = entries[i]!;
    if (server !== '' && entry.event.server_name !== server) continue;
    if (type !== '' && entry.event.event_type !== type) continue;
    rows.push(entry);
  }
  const waiting = pausedAt === null ? 0 : entries.length - pausedAt;
  return (
    <section aria-labelledby="timeline-title" class="panel">
      <h2 id="timeline-title">Events</h2>
      <div class="controls">
        <label>
          server{' '}
          <select
            id="timeline-server"
            value={server}
            onChange={(e) => setServer(e.currentTarget.value)}
          >
            <option value="">all</option>
            {servers.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          type{' '}
          <select id="timeline-type" value={type} onChange={(e) => setType(e.currentTarget.value)}>
            <option value="">all</option>
            {types.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          id="timeline-pause"
          aria-pressed={pausedAt !== null}
          onClick={() => setPausedAt(pausedAt === null ? entries.length : null)}
        >
          {pausedAt === null ? 'Pause' : `Resume (${waiting} new)`}
        </button>
      </div>
      <ol class="timeline" aria-live="off">
        {rows.map(({ event }, i) => (
          <TimelineRow
            key={typeof event.event_id === 'string' ? event.event_id : `${event.timestamp}-${i}`}
            event={event}
          />
        ))}
      </ol>
      {rows.length === 0 ? <p>No events match.</p> : null}
    </section>
  );
}

/** One row, rendered once: at each batch the rows already shown are skipped, not diffed. */
const TimelineRow = memo(function TimelineRow({ event }: { event: Entry['event'] }) {
  return (
    <li data-event-id={typeof event.event_id === 'string' ? event.event_id : undefined}>
      <EventDetails event={event} />
    </li>
  );
});

/** One event, its JSON written out only while it is open (300 rows render at each batch). */
function EventDetails({ event }: { event: Entry['event'] }) {
  const [open, setOpen] = useState(false);
  return (
    <details onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>
        <time>{event.timestamp}</time> <span class="etype">{event.event_type}</span>
        {typeof event.server_name === 'string' ? (
          <span class="eserver"> {event.server_name}</span>
        ) : null}
      </summary>
      {open ? <pre>{JSON.stringify(event, null, 2)}</pre> : null}
    </details>
  );
}

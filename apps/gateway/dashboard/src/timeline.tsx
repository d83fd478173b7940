import { useMemo, useState } from 'preact/hooks';
import type { Entry } from './model.js';

const SHOWN = 300;

/** The event timeline, newest first: filters by server and type, pause and resume. */
export function Timeline({ entries }: { entries: readonly Entry[] }) {
  const [server, setServer] = useState('');
  const [type, setType] = useState('');
  const [pausedAt, setPausedAt] = useState<number | null>(null);
  const visible = pausedAt === null ? entries : entries.slice(0, pausedAt);
  const { servers, types } = useMemo(() => {
    const s = new Set<string>();
    const t = new Set<string>();
    for (const { event } of entries) {
      if (typeof event.server_name === 'string') s.add(event.server_name);
      t.add(event.event_type);
    }
    return { servers: [...s].sort(), types: [...t].sort() };
  }, [entries.length]);
  const rows: Entry[] = [];
  for (let i = visible.length - 1; i >= 0 && rows.length < SHOWN; i--) {
    const entry = visible[i]!;
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
          <li
            key={typeof event.event_id === 'string' ? event.event_id : `${event.timestamp}-${i}`}
            data-event-id={typeof event.event_id === 'string' ? event.event_id : undefined}
          >
            <EventDetails event={event} />
          </li>
        ))}
      </ol>
      {rows.length === 0 ? <p>No events match.</p> : null}
    </section>
  );
}

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

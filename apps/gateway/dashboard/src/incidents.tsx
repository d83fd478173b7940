import type { HealthFoldResult, SlaIncident } from '@selfheal/events/fold';
import { useLayoutEffect, useState } from 'preact/hooks';
import { InstantInput, readInstant } from './instant.js';
import { memo } from './memo.js';
import { duration, type Entry, lastIndexAtOrBefore, SLA_PRESETS, type SlaWindow } from './model.js';

const iso = (ms: number | null) => (ms === null ? 'open' : new Date(ms).toISOString());

/** Options of {@link Incidents}. */
export interface IncidentsProps {
  fold: HealthFoldResult;
  entries: readonly Entry[];
  window: SlaWindow;
  onWindow(window: SlaWindow): void;
}

/**
 * Per-server SLA (uptime, incidents, MTTD, MTTR) and each incident with its events, over the
 * window the operator picks: it ends at the time-travel instant (or the last event).
 */
export function Incidents({ fold, entries, window, onWindow }: IncidentsProps) {
  const names = Object.keys(fold.servers);
  const since = fold.since_ms === null ? null : new Date(fold.since_ms).toISOString();
  const until = new Date(fold.end_ms).toISOString();
  return (
    <section aria-labelledby="sla-title" class="panel">
      <h2 id="sla-title">SLA and incidents</h2>
      <WindowPicker window={window} onWindow={onWindow} endMs={fold.end_ms} />
      <p class="note" id="sla-span" data-since={since ?? ''} data-until={until}>
        {since === null ? "From each server's first event" : `From ${since}`} to {until}: the
        figures of{' '}
        <code>
          selfheal replay {since === null ? '' : `--since ${since} `}--until {until}
        </code>
        .
      </p>
      <div class="scroll">
        <table id="sla">
          <thead>
            <tr>
              <th scope="col">server</th>
              <th scope="col">uptime</th>
              <th scope="col">incidents</th>
              <th scope="col">MTTD</th>
              <th scope="col">MTTR</th>
              <th scope="col">restarts</th>
              <th scope="col">manual</th>
            </tr>
          </thead>
          <tbody>
            {names.map((name) => (
              <SlaRow key={name} name={name} {...shown(fold.servers[name]!.sla)} />
            ))}
          </tbody>
        </table>
      </div>
      <h3>Incidents ({fold.incidents.length})</h3>
      <ol class="incidents" id="incidents">
        {fold.incidents
          .slice()
          .reverse()
          .map((incident) => (
            <IncidentRow
              key={`${incident.server_name}-${incident.down_ms}`}
              incident={incident}
              entries={entries}
              endMs={fold.end_ms}
            />
          ))}
      </ol>
    </section>
  );
}

/**
 * One server's SLA figures, rendered again only when one changed: the fold's result is new at
 * each live batch, its figures mostly the same.
 */
const SlaRow = memo(function SlaRow(s: { name: string } & SlaFigures) {
  return (
    <tr data-server={s.name}>
      <th scope="row">{s.name}</th>
      <td data-value={s.uptime_percent ?? ''}>
        {s.uptime_percent === null ? '-' : `${s.uptime_percent.toFixed(3)}%`}
      </td>
      <td data-value={s.incidents}>
        {s.incidents}
        {s.open_incidents > 0 ? ` (${s.open_incidents} open)` : ''}
      </td>
      <td data-value={s.mttd_ms ?? ''}>{duration(s.mttd_ms)}</td>
      <td data-value={s.mttr_ms ?? ''}>{duration(s.mttr_ms)}</td>
      <td data-value={s.restarts}>{s.restarts}</td>
      <td data-value={s.manual_interventions}>{s.manual_interventions}</td>
    </tr>
  );
});

type ServerSla = HealthFoldResult['servers'][string]['sla'];
type SlaFigures = Pick<
  ServerSla,
  | 'uptime_percent'
  | 'incidents'
  | 'open_incidents'
  | 'mttd_ms'
  | 'mttr_ms'
  | 'restarts'
  | 'manual_interventions'
>;

/** The figures the table shows (not the window's length, which moves with every event). */
const shown = (s: ServerSla): SlaFigures => ({
  uptime_percent: s.uptime_percent,
  incidents: s.incidents,
  open_incidents: s.open_incidents,
  mttd_ms: s.mttd_ms,
  mttr_ms: s.mttr_ms,
  restarts: s.restarts,
  manual_interventions: s.manual_interventions,
});

function IncidentRow(props: { incident: SlaIncident; entries: readonly Entry[]; endMs: number }) {
  const { incident, entries, endMs } = props;
  const to = incident.recovered_ms ?? endMs;
  // The entries are in time order: only the incident's span is read, not the whole history.
  const events: Entry[] = [];
  const last = lastIndexAtOrBefore(entries, to);
  for (let i = lastIndexAtOrBefore(entries, incident.started_ms - 1) + 1; i <= last; i++) {
    if (entries[i]!.event.server_name === incident.server_name) events.push(entries[i]!);
  }
  return (
    <li
      data-server={incident.server_name}
      data-down={incident.down_ms}
      data-detect={incident.detect_ms ?? ''}
      data-repair={incident.repair_ms ?? ''}
    >
      <details>
        <summary>
          <strong>{incident.server_name}</strong> down {iso(incident.down_ms)}, back{' '}
          {iso(incident.recovered_ms)}; MTTD {duration(incident.detect_ms)}, MTTR{' '}
          {duration(incident.repair_ms)}
          {incident.manual ? ' (operator)' : ''}
        </summary>
        <ol class="timeline">
          {events.map(({ event }, i) => (
            <li key={i}>
              <time>{event.timestamp}</time> <span class="etype">{event.event_type}</span>
            </li>
          ))}
        </ol>
      </details>
    </li>
  );
}

const PICK_FROM = 'from';

/** The SLA window: the whole log, a preset span before the end, or from a chosen instant. */
function WindowPicker(props: { window: SlaWindow; onWindow(w: SlaWindow): void; endMs: number }) {
  const { window, onWindow, endMs } = props;
  const [text, setText] = useState('');
  const [problem, setProblem] = useState('');
  // Before the browser paints the new field: text typed into it is not overwritten afterwards.
  useLayoutEffect(() => {
    if (window.kind === 'from') setText(new Date(window.ms).toISOString());
  }, [window]);
  const value =
    window.kind === 'all' ? 'all' : window.kind === 'last' ? String(window.spanMs) : PICK_FROM;
  const pick = (choice: string) => {
    setProblem('');
    if (choice === 'all') onWindow({ kind: 'all' });
    else if (choice === PICK_FROM)
      // Starts where the window starts now (or an hour before the end), to be edited.
      onWindow({ kind: 'from', ms: endMs - 3_600_000 });
    else onWindow({ kind: 'last', spanMs: Number(choice) });
  };
  const apply = (e: Event) => {
    e.preventDefault();
    const instant = readInstant(text);
    if ('problem' in instant) {
      setProblem(instant.problem);
      return;
    }
    setProblem('');
    onWindow({ kind: 'from', ms: instant.ms });
  };
  return (
    <form class="controls" onSubmit={apply}>
      <label>
        window{' '}
        <select id="sla-window" value={value} onChange={(e) => pick(e.currentTarget.value)}>
          <option value="all">whole log</option>
          {SLA_PRESETS.map((p) => (
            <option key={p.spanMs} value={String(p.spanMs)}>
              {p.label}
            </option>
          ))}
          <option value={PICK_FROM}>from an instant</option>
        </select>
      </label>
      {window.kind === 'from' ? (
        <>
          <InstantInput
            label="from"
            id="sla-from"
            problemId="sla-problem"
            value={text}
            problem={problem}
            onInput={setText}
          />
          <button type="submit" id="sla-apply">
            Apply
          </button>
        </>
      ) : null}
      <span class="note">to the time-travel instant</span>
      <p id="sla-problem" role="alert" class="problem">
        {problem}
      </p>
    </form>
  );
}

import type { HealthFoldResult, SlaIncident } from '@selfheal/events/fold';
import { duration, type Entry } from './model.js';

const iso = (ms: number | null) => (ms === null ? 'open' : new Date(ms).toISOString());

/** Per-server SLA (uptime, incidents, MTTD, MTTR) and each incident with its events. */
export function Incidents({
  fold,
  entries,
}: {
  fold: HealthFoldResult;
  entries: readonly Entry[];
}) {
  const names = Object.keys(fold.servers);
  return (
    <section aria-labelledby="sla-title" class="panel">
      <h2 id="sla-title">SLA and incidents</h2>
      <p class="note">
        Up to {new Date(fold.end_ms).toISOString()}: the figures of{' '}
        <code>selfheal replay --until</code> at that instant.
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
            {names.map((name) => {
              const s = fold.servers[name]!.sla;
              return (
                <tr key={name} data-server={name}>
                  <th scope="row">{name}</th>
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
            })}
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

function IncidentRow(props: { incident: SlaIncident; entries: readonly Entry[]; endMs: number }) {
  const { incident, entries, endMs } = props;
  const to = incident.recovered_ms ?? endMs;
  const events = entries.filter(
    ({ event, ms }) =>
      event.server_name === incident.server_name && ms >= incident.started_ms && ms <= to,
  );
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

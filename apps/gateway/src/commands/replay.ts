import { parseArgs } from 'node:util';
import {
  EventsError,
  parseTimestamp,
  type ReplayReport,
  replayLogs,
  type ServerSla,
} from '@selfheal/events';
import { type CliIO, ExitCode, parseCommand } from '../io.js';
import { REPLAY_SERVE_PORT, serveReplay } from './replayServe.js';

export const replayUsage = `usage: selfheal replay FILE... [--json] [--since TIMESTAMP] [--until TIMESTAMP] [--server NAME]
                      [--strict] [--serve [--port N]]
       selfheal replay nats://HOST[:PORT]/STREAM [--creds FILE] [--json] [--since TIMESTAMP]
                      [--until TIMESTAMP] [--server NAME]

Folds one or more JSONL event logs, in timestamp order (stable for ties; unsorted logs are
sorted), into the final state of every server, an SLA report per server and a summary of the
timeline. Bad lines are reported with their file and line and skipped; a file that is not a
text log (binary, compressed) is refused with exit 2.

Runs: each gateway_started begins the state afresh, as the live gateway does; the time between
a run's end (gateway_stopped, or its last event) and the next start is offline, counted as
neither uptime nor downtime. Servers whose log has checks but no status decisions (a W3
monitor's) are decided from the checks: 3 failures down, 3 successes up.

A nats:// source reads the NATS JetStream stream the replicas of a gateway share (RFC 0018):
every event stored in it when the replay starts, folded in stream order (the order every
replica folds it in), so the report covers the fleet.

Options:
  --json            one JSON object (events_total, invalid_lines, by_type, by_repo, by_trace,
                    out_of_order, servers, ecosystem, ...)
  --since TS        the report's window starts at TS (RFC 3339): earlier events only set the
                    state at TS (a server down then is down from TS on); the SLA figures,
                    incidents and counts are those of the window
  --until TS        only events at or before TS (RFC 3339, e.g. 2026-11-21T10:00:00Z)
  --server NAME     only the events of server NAME
  --strict          check every line against the full event schema (slower; files only)
  --creds FILE      a NATS credentials file (nats:// sources)
  --serve           after the report, serve the dashboard over these files on 127.0.0.1
                    (time travel, SLA, incidents; no gateway needed) until Ctrl-C
  --port N          the --serve port (default ${REPLAY_SERVE_PORT}; 0 picks a free one)
Exit: 0 replayed, every line valid; 1 replayed, some lines invalid or torn; 2 unreadable or bad usage.
`;

/** `selfheal replay`: exit 0 all lines valid, 1 some skipped, 2 unreadable or bad usage. */
export async function runReplay(argv: string[], io: CliIO): Promise<number> {
  const parsed = parseCommand('replay', replayUsage, argv, io, parse);
  if (typeof parsed === 'number') return parsed;
  const { values, positionals: files } = parsed;
  if (files.length === 0) {
    io.stderr(`selfheal replay: expected at least one FILE\n\n${replayUsage}`);
    return ExitCode.Unusable;
  }
  const since = instantOption(io, '--since', values.since);
  const until = instantOption(io, '--until', values.until);
  if (Number.isNaN(since) || Number.isNaN(until)) return ExitCode.Unusable;
  if (since !== undefined && until !== undefined && since > until) {
    io.stderr(
      `selfheal replay: --since ${values.since} is after --until ${values.until}: the window would be empty\n`,
    );
    return ExitCode.Unusable;
  }
  let port = REPLAY_SERVE_PORT;
  if (values.port !== undefined) {
    port = Number(values.port);
    if (!values.serve || !/^\d+$/.test(values.port) || port > 65535) {
      io.stderr(
        values.serve
          ? `selfheal replay: --port "${values.port}" is not a port (0 to 65535)\n`
          : 'selfheal replay: --port goes with --serve\n',
      );
      return ExitCode.Unusable;
    }
  }
  if (values.server === '') {
    io.stderr('selfheal replay: --server needs a server name\n');
    return ExitCode.Unusable;
  }

  const streams = files.filter((f) => f.startsWith('nats://'));
  if (streams.length > 0 && files.length > 1) {
    io.stderr(
      `selfheal replay: a nats:// stream is replayed on its own: give either one stream or log files, not ${files.length} sources\n`,
    );
    return ExitCode.Unusable;
  }
  if (values.serve && streams.length > 0) {
    io.stderr(
      'selfheal replay: --serve serves log files; for a nats:// stream, open the dashboard of a replica (its / page)\n',
    );
    return ExitCode.Unusable;
  }
  let report: ReplayReport;
  try {
    report =
      streams.length > 0
        ? await replayNats(streams[0]!, {
            ...(since === undefined ? {} : { since }),
            ...(until === undefined ? {} : { until }),
            ...(values.server === undefined ? {} : { server: values.server }),
            ...(values.creds === undefined ? {} : { credentials: values.creds }),
          })
        : await replayLogs(files, {
            ...(since === undefined ? {} : { since }),
            ...(until === undefined ? {} : { until }),
            ...(values.server === undefined ? {} : { server: values.server }),
            validation: values.strict ? 'full' : 'envelope',
          });
  } catch (error) {
    const message = error instanceof EventsError ? error.message : String(error);
    io.stderr(`selfheal replay: ${message}\n`);
    return ExitCode.Unusable;
  }

  io.stdout(values.json ? `${JSON.stringify(report)}\n` : formatReport(report));
  const code = report.invalid_lines === 0 ? ExitCode.Ok : ExitCode.Invalid;
  if (!values.serve) return code;
  const served = await serveReplay(files, port, io);
  return served === ExitCode.Ok ? code : served;
}

/**
 * The instant an option names (epoch ms); undefined when not given; NaN, said on stderr, when
 * it is not an RFC 3339 date-time.
 */
function instantOption(io: CliIO, name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = parseTimestamp(value);
  if (Number.isNaN(ms))
    io.stderr(
      `selfheal replay: ${name} "${value}" is not an RFC 3339 date-time (e.g. 2026-11-21T10:00:00Z)\n`,
    );
  return ms;
}

/** The NATS client loads only when a stream is replayed (a subpath export of the events package). */
async function replayNats(
  url: string,
  options: { since?: number; until?: number; server?: string; credentials?: string },
): Promise<ReplayReport> {
  const { replayStream } = await import('@selfheal/events/nats');
  return replayStream(url, options);
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      since: { type: 'string' },
      until: { type: 'string' },
      server: { type: 'string' },
      strict: { type: 'boolean', default: false },
      serve: { type: 'boolean', default: false },
      port: { type: 'string' },
      creds: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

const NUMERIC = /^[\d.%-]+(ms|s|m|h|d)?$/;

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) =>
      `  ${r.map((cell, i) => (NUMERIC.test(cell) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ')}`.trimEnd(),
    )
    .join('\n');
}

function counts(title: string, map: Record<string, number>, limit = 30): string {
  const entries = Object.entries(map).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  if (entries.length === 0) return '';
  const shown = entries.slice(0, limit).map(([k, n]) => [k, String(n)]);
  const more = entries.length > limit ? `\n  ... ${entries.length - limit} more` : '';
  return `\n${title}:\n${table(shown)}${more}\n`;
}

function duration(ms: number | null): string {
  if (ms === null) return '-';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)}s`;
  if (ms < 7_200_000) return `${(ms / 60_000).toFixed(1)}m`;
  if (ms < 172_800_000) return `${(ms / 3_600_000).toFixed(1)}h`;
  return `${(ms / 86_400_000).toFixed(1)}d`;
}

function slaRow(name: string, s: ServerSla): string[] {
  return [
    name,
    s.uptime_percent === null ? '-' : `${s.uptime_percent.toFixed(3)}%`,
    `${s.incidents}${s.open_incidents > 0 ? ` (${s.open_incidents} open)` : ''}`,
    duration(s.mttd_ms),
    duration(s.mttr_ms),
    s.auto_recovered_within_2m === null ? '-' : `${Math.round(s.auto_recovered_within_2m * 100)}%`,
    String(s.restarts),
    String(s.manual_interventions),
  ];
}

/** The human-readable report. */
export function formatReport(r: ReplayReport): string {
  const span = r.time_span
    ? `${r.time_span.first} .. ${r.time_span.last} (${duration(r.time_span.seconds * 1000)})`
    : 'no events';
  let out = `Replayed ${plural(r.files.length, 'file')}: ${plural(r.events_total, 'event')} from ${plural(r.lines_total, 'line')}, ${r.invalid_lines} invalid, ${r.out_of_order} out of time order${r.filtered_out > 0 ? `, ${r.filtered_out} filtered out` : ''}\n`;
  out += `Time span: ${span}\n`;
  if (r.runs > 0)
    out += `Gateway runs: ${r.runs}, offline between them ${duration(r.offline_ms)} (not counted as uptime or downtime)\n`;
  if (r.derived_decisions > 0)
    out += `Decided from checks: ${plural(r.derived_decisions, 'status change')} (the log has checks but no decisions; W3 thresholds: 3 failures down, 3 successes up)\n`;
  if (r.since) out += `Since: ${r.since}\n`;
  if (r.until) out += `Until: ${r.until}\n`;
  if (r.server) out += `Server: ${r.server}\n`;
  if (r.files.length > 1) {
    out += `\nFiles:\n${table(
      r.files.map((f) => [
        f.file,
        plural(f.events, 'event'),
        `${f.invalid} invalid`,
        `${f.out_of_order} out of order`,
        f.torn ? 'torn last line' : '',
      ]),
    )}\n`;
  }
  if (r.invalid.length > 0) {
    out += `\nInvalid lines (skipped):\n${r.invalid.map((i) => `  ${i.file}:${i.line}: ${i.reason}`).join('\n')}\n`;
    if (r.invalid_lines > r.invalid.length)
      out += `  ... ${r.invalid_lines - r.invalid.length} more\n`;
  }
  out += counts('Events by type', r.by_type);
  out += counts('Events by repo', r.by_repo);
  out += counts('Events by trace', r.by_trace, 10);
  if (r.unknown_types > 0)
    out += `\n${plural(r.unknown_types, 'event')} of types the event schema does not describe (kept, counted).\n`;
  const names = Object.keys(r.servers);
  if (names.length > 0) {
    out += `\nServers (final state):\n${table([
      ['server', 'status', 'lifecycle', 'fails', 'last check', 'rt', 'attempts', 'manual'],
      ...names.map((name) => {
        const s = r.servers[name]!.state;
        return [
          name,
          s.status,
          s.lifecycle,
          String(s.consecutive_failures),
          s.last_check ?? '-',
          s.response_time_ms === undefined ? '-' : `${s.response_time_ms}ms`,
          String(s.recovery_attempts),
          s.requires_manual ? 'REQUIRED' : 'no',
        ];
      }),
    ])}\n`;
    out += `\nSLA:\n${table([
      ['server', 'uptime', 'incidents', 'MTTD', 'MTTR', 'auto<2m', 'restarts', 'manual'],
      ...names.map((name) => slaRow(name, r.servers[name]!.sla)),
    ])}\n`;
    const e = r.ecosystem;
    out += `\nEcosystem: ${e.status} (${plural(e.servers.total, 'server')}: ${e.servers.healthy} healthy, ${e.servers.degraded} degraded, ${e.servers.down} down)\n`;
  } else {
    out += '\nNo server events: no per-server state or SLA to report.\n';
  }
  return out;
}

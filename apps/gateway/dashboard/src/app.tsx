import {
  createHealthFold,
  createHealthProjector,
  type HealthFold,
  type HealthFoldResult,
  type HealthProjector,
  rollUpEcosystem,
  type ServerHealth,
} from '@selfheal/events/fold';
import type { EcosystemHealth, SelfhealEvent } from '@selfheal/schemas';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ActionDialog, type PendingAction } from './actionDialog.js';
import { Incidents } from './incidents.js';
import { connectLiveStream } from './liveStream.js';
import {
  breakerStates,
  type CallBucket,
  callSeries,
  type DashboardInfo,
  type EarlierCalls,
  type Entry,
  EventHistory,
  keepUnchangedSeries,
  lastIndexAtOrBefore,
  recentSummaries,
  type SlaWindow,
  toEntries,
  windowStart,
} from './model.js';
import { EcosystemBar, ServerCard } from './overview.js';
import { Timeline } from './timeline.js';
import { TimeTravel } from './timeTravel.js';

/** The sparklines cover the last five minutes, in 5 s buckets. */
const SPARK_WINDOW_MS = 300_000;
const SPARK_BUCKET_MS = 5_000;
/** Live events wait at most this long to be shown, so that a burst costs one render. */
const LIVE_BATCH_MS = 100;

type Connection =
  | { kind: 'connecting' }
  | { kind: 'live' }
  | { kind: 'disconnected'; retryAt: number; since: number };

/** `GET dashboard/api/events`: the history, and where it comes from (`log` or `stream`). */
async function fetchEvents(): Promise<{ entries: Entry[]; source: string }> {
  const res = await fetch('dashboard/api/events', { cache: 'no-store' });
  if (!res.ok) throw new Error(`GET dashboard/api/events: ${res.status}`);
  const body = (await res.json()) as { events: SelfhealEvent[]; source: string };
  return { entries: toEntries(body.events), source: body.source };
}

/** The fold options of the SLA window starting at `since` (undefined: the whole log). */
const sinceOption = (since: number | undefined) => (since === undefined ? {} : { since });

function fold(
  entries: readonly Entry[],
  until: number | undefined,
  since: number | undefined,
): HealthFoldResult {
  const f = createHealthFold({ ...(until === undefined ? {} : { until }), ...sinceOption(since) });
  for (const { event, ms } of entries) f.apply(event, ms);
  return f.result();
}

/** A fold of the whole history kept between renders, so a live event costs one `apply`. */
interface RunningFold {
  fold: HealthFold;
  /** The entries of `history` folded: a prefix while `history.rewrites` stays `rewrites`. */
  count: number;
  history: EventHistory;
  rewrites: number;
  /** The SLA window's start it folds with. */
  since: number | undefined;
}

/**
 * The fold of all of `history` (live, no `until`), advanced from `running` when `history` only
 * grew at its end, and folded again from the start otherwise (another history, an event
 * inserted earlier, or another SLA window).
 */
function foldAll(
  history: EventHistory,
  running: { current: RunningFold | null },
  since: number | undefined,
) {
  let r = running.current;
  if (!r || r.since !== since || r.history !== history || r.rewrites !== history.rewrites) {
    r = {
      fold: createHealthFold(sinceOption(since)),
      count: 0,
      history,
      rewrites: history.rewrites,
      since,
    };
  }
  const { entries } = history;
  for (let i = r.count; i < entries.length; i++) r.fold.apply(entries[i]!.event, entries[i]!.ms);
  r.count = entries.length;
  running.current = r;
  return r.fold.result();
}

/** The whole page: live (a gateway) or a replay of files (`selfheal replay --serve`). */
export function App() {
  const [info, setInfo] = useState<DashboardInfo | null>(null);
  const [problem, setProblem] = useState('');
  // The history is changed in place (see EventHistory); `version` renders the page again.
  const historyRef = useRef<EventHistory | null>(null);
  historyRef.current ??= new EventHistory();
  const history = historyRef.current;
  const [, setVersion] = useState(history.version);
  const replaceHistory = useCallback((next: EventHistory) => {
    historyRef.current = next;
    setVersion(next.version);
  }, []);
  const [calls, setCalls] = useState<Entry[]>([]);
  const [earlier, setEarlier] = useState<EarlierCalls | undefined>(undefined);
  const [live, setLive] = useState<Record<string, ServerHealth> | null>(null);
  const [connection, setConnection] = useState<Connection>({ kind: 'connecting' });
  const [travel, setTravel] = useState<number | null>(null);
  const [pending, setPending] = useState<PendingAction | null>(null);
  const [notice, setNotice] = useState('');
  const [slaWindow, setSlaWindow] = useState<SlaWindow>({ kind: 'all' });
  const [source, setSource] = useState('log');
  const [now, setNow] = useState(Date.now());
  const projector = useRef<HealthProjector | null>(null);
  const running = useRef<RunningFold | null>(null);

  useEffect(() => {
    fetch('dashboard/api/info', { cache: 'no-store' })
      .then(async (res) => {
        if (!res.ok) throw new Error(`GET dashboard/api/info: ${res.status}`);
        setInfo((await res.json()) as DashboardInfo);
      })
      .catch((error: Error) => setProblem(error.message));
  }, []);

  useEffect(() => {
    if (!info) return;
    if (info.mode === 'replay') {
      fetchEvents()
        .then(({ entries }) => {
          replaceHistory(EventHistory.of(entries));
          if (entries.length > 0) setTravel(entries[entries.length - 1]!.ms);
        })
        .catch((error: Error) => setProblem(error.message));
      return;
    }
    // Events that arrive while the log is read back are merged after it (by event_id).
    let buffered: Entry[] | null = null;
    let generation = 0;
    /** When the page first saw the live stream: the sparklines' history is the log's before. */
    let liveSince: number | undefined;
    // Events are applied in batches, one render per batch: at 200 events a second a render per
    // event (100 cards, 300 charts) would keep the main thread busy.
    let incoming: Entry[] = [];
    let flushTimer: ReturnType<typeof setTimeout> | undefined;
    const flush = () => {
      flushTimer = undefined;
      const batch = incoming;
      incoming = [];
      const calls = batch.filter((e) => e.event.event_type === 'call_completed');
      const others = batch.filter((e) => e.event.event_type !== 'call_completed');
      if (calls.length > 0) {
        const newest = calls[calls.length - 1]!.ms;
        setCalls((list) => [
          ...list.filter((c) => c.ms > newest - SPARK_WINDOW_MS),
          ...calls.filter((c) => c.ms > newest - SPARK_WINDOW_MS),
        ]);
      }
      if (others.length === 0) return;
      if (projector.current) {
        for (const { event } of others) projector.current.apply(event);
        setLive(projector.current.state().servers);
      }
      if (buffered) buffered.push(...others);
      else if (historyRef.current?.add(others)) setVersion(historyRef.current.version);
    };
    const url = new URL('health/stream', window.location.href);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const stop = connectLiveStream(url.href, {
      onSnapshot(snapshot) {
        // Events of the connection before are in the snapshot's state (and the log read back).
        if (flushTimer !== undefined) clearTimeout(flushTimer);
        flushTimer = undefined;
        incoming = [];
        liveSince ??= Date.parse(snapshot.timestamp);
        const untilMs = liveSince;
        // Seeded with who serves what, so that another replica's reload takes out only the
        // servers no replica serves any more (RFC 0018), as the gateway's own view does.
        projector.current = createHealthProjector(
          { servers: snapshot.servers },
          snapshot.serving ?? {},
        );
        setLive(projector.current.state().servers);
        setConnection({ kind: 'live' });
        buffered = [];
        const mine = ++generation;
        fetchEvents()
          .then(({ entries, source }) => {
            if (mine !== generation) return;
            setSource(source);
            replaceHistory(EventHistory.of(entries, buffered ?? []));
            // Only the last minutes' summaries are kept: the page's memory stays bounded.
            setEarlier({
              summaries: recentSummaries(entries, untilMs - SPARK_WINDOW_MS),
              untilMs,
            });
            buffered = null;
          })
          .catch((error: Error) => setProblem(error.message));
      },
      onEvent(event) {
        const entry = toEntries([event])[0];
        if (!entry) return;
        incoming.push(entry);
        flushTimer ??= setTimeout(flush, LIVE_BATCH_MS);
      },
      onDisconnect(retryInMs) {
        generation++;
        setConnection((c) => ({
          kind: 'disconnected',
          retryAt: Date.now() + retryInMs,
          since: c.kind === 'disconnected' ? c.since : Date.now(),
        }));
      },
    });
    return () => {
      if (flushTimer !== undefined) clearTimeout(flushTimer);
      stop();
    };
  }, [info, replaceHistory]);

  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);

  const isLive = info?.mode === 'live';
  const viewing = travel === null && isLive ? null : (travel ?? undefined);
  // The SLA window ends at the instant shown, or at the last event (replay without --until).
  const entries = history.entries;
  const windowEnd = viewing ?? entries[entries.length - 1]?.ms ?? 0;
  const since = windowStart(slaWindow, windowEnd);
  const folded = useMemo(
    () => (viewing === null ? foldAll(history, running, since) : fold(entries, viewing, since)),
    [history, history.version, viewing, since],
  );
  const servers: Record<string, ServerHealth> =
    viewing === null && live
      ? live
      : Object.fromEntries(Object.entries(folded.servers).map(([n, s]) => [n, s.state]));
  const ecosystem: EcosystemHealth =
    viewing === null && live ? rollUpEcosystem({ servers }, now) : folded.ecosystem;
  const breakers = useMemo(
    () =>
      viewing === null || viewing === undefined
        ? history.breakers()
        : breakerStates(entries.slice(0, lastIndexAtOrBefore(entries, viewing) + 1)),
    [history, history.version, viewing],
  );
  const drawnSeries = useRef(new Map<string, CallBucket[]>());
  const series = useMemo(() => {
    const next = callSeries(calls, now, SPARK_WINDOW_MS, SPARK_BUCKET_MS, earlier);
    // A card whose figures did not change keeps its series, so it is not rendered again.
    drawnSeries.current = keepUnchangedSeries(drawnSeries.current, next);
    return drawnSeries.current;
  }, [calls, now, earlier]);
  const askAction = useCallback(
    (action: PendingAction['action'], server: string) => setPending({ action, server }),
    [],
  );
  const stale = isLive && connection.kind !== 'live';
  const actions = isLive && info?.actions && travel === null && !stale;

  const confirm = async (p: PendingAction, operator: string) => {
    setPending(null);
    setNotice(`${p.action} ${p.server}: sending...`);
    try {
      const res = await fetch('dashboard/api/action', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ action: p.action, server: p.server, operator }),
      });
      const reply = (await res.json()) as { ok: boolean; error?: string };
      setNotice(
        reply.ok ? `${p.action} ${p.server}: done` : `${p.action} ${p.server}: ${reply.error}`,
      );
    } catch (error) {
      setNotice(`${p.action} ${p.server}: ${(error as Error).message}`);
    }
  };

  return (
    <>
      <header class="top">
        <h1>Selfheal</h1>
        <p id="mode" data-source={source}>
          {info === null
            ? 'loading'
            : info.mode === 'live'
              ? source === 'stream'
                ? "live gateway, history from the fleet's stream"
                : 'live gateway'
              : `replay of ${info.files?.join(', ')}`}
        </p>
      </header>
      <div
        id="connection"
        role="status"
        aria-live="polite"
        data-state={isLive ? connection.kind : 'replay'}
      >
        {isLive && connection.kind === 'connecting' ? 'Connecting to the gateway...' : null}
        {isLive && connection.kind === 'disconnected'
          ? `Disconnected from the gateway since ${new Date(connection.since).toLocaleTimeString()}: reconnecting in ${Math.max(0, Math.ceil((connection.retryAt - now) / 1000))} s. What is shown is the last state seen, not live.`
          : null}
      </div>
      {problem ? (
        <p role="alert" class="problem">
          {problem}
        </p>
      ) : null}
      <p id="notice" role="status" aria-live="polite">
        {notice}
      </p>
      {viewing !== null && viewing !== undefined ? (
        <p id="as-of" class="as-of">
          As of {new Date(viewing).toISOString()} (the fold of the log up to that instant)
        </p>
      ) : null}
      <main class={stale ? 'stale' : ''} aria-busy={stale}>
        <EcosystemBar ecosystem={ecosystem} />
        <section aria-label="Servers" class="cards" id="servers">
          {Object.keys(servers)
            .sort()
            .map((name) => (
              <ServerCard
                key={name}
                server={servers[name]!}
                breaker={breakers.get(name) ?? 'closed'}
                calls={series.get(name)}
                onAction={actions ? askAction : undefined}
              />
            ))}
        </section>
      </main>
      <TimeTravel entries={entries} at={travel} onChange={setTravel} live={isLive} />
      <div class="columns">
        <Incidents fold={folded} entries={entries} window={slaWindow} onWindow={setSlaWindow} />
        <Timeline history={history} />
      </div>
      <ActionDialog pending={pending} onConfirm={confirm} onCancel={() => setPending(null)} />
    </>
  );
}

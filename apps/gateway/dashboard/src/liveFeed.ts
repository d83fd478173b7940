import {
  createHealthProjector,
  type HealthProjector,
  type ServerHealth,
} from '@selfheal/events/fold';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { connectLiveStream } from './liveStream.js';
import {
  type CallBucket,
  callSeries,
  type DashboardInfo,
  type EarlierCalls,
  type Entry,
  EventHistory,
  keepUnchangedSeries,
  recentSummaries,
  toEntries,
} from './model.js';
import { fetchEvents } from './pageData.js';

/** The sparklines cover the last five minutes, in 5 s buckets. */
const SPARK_WINDOW_MS = 300_000;
const SPARK_BUCKET_MS = 5_000;
/** Live events wait at most this long to be shown, so that a burst costs one render. */
const LIVE_BATCH_MS = 100;

/** The page's link to a live gateway. */
export type Connection =
  | { kind: 'connecting' }
  | { kind: 'live' }
  | { kind: 'disconnected'; retryAt: number; since: number };

/** What a live page learns from its gateway beyond the history. */
export interface LiveFeed {
  /** The calls of the sparklines' window. */
  calls: Entry[];
  /** The calls before the page saw the stream, as the log's summaries. */
  earlier: EarlierCalls | undefined;
  /** The servers as the live projection has them; null before the first snapshot. */
  live: Record<string, ServerHealth> | null;
  connection: Connection;
  /** Where the history came from: `log`, or `stream` in a fleet. */
  source: string;
}

/** How the live feed changes the page's history. */
export interface LiveFeedHistory {
  replaceHistory(next: EventHistory): void;
  addToHistory(entries: Entry[]): void;
}

/**
 * A live page's feed (`WS /health/stream`): at each (re)connect a snapshot seeds the live
 * projection and the log is read back; every event then updates the projection, the history
 * and the calls, in batches of at most {@link LIVE_BATCH_MS}, one render per batch. Events that
 * arrive while the log is read back are merged after it (by event_id).
 */
export function useLiveFeed(
  info: DashboardInfo | null,
  { replaceHistory, addToHistory }: LiveFeedHistory,
  onProblem: (message: string) => void,
): LiveFeed {
  const [calls, setCalls] = useState<Entry[]>([]);
  const [earlier, setEarlier] = useState<EarlierCalls | undefined>(undefined);
  const [live, setLive] = useState<Record<string, ServerHealth> | null>(null);
  const [connection, setConnection] = useState<Connection>({ kind: 'connecting' });
  const [source, setSource] = useState('log');
  const projector = useRef<HealthProjector | null>(null);

  useEffect(() => {
    if (!info || info.mode === 'replay') return;
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
      else addToHistory(others);
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
          .catch((error: Error) => onProblem(error.message));
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

  return { calls, earlier, live, connection, source };
}

/**
 * Each server's sparkline buckets at `now`. A card whose figures did not change keeps its
 * series (the same object), so it is not rendered again.
 */
export function useCallSeries(
  calls: readonly Entry[],
  now: number,
  earlier: EarlierCalls | undefined,
): Map<string, CallBucket[]> {
  const drawnSeries = useRef(new Map<string, CallBucket[]>());
  return useMemo(() => {
    const next = callSeries(calls, now, SPARK_WINDOW_MS, SPARK_BUCKET_MS, earlier);
    drawnSeries.current = keepUnchangedSeries(drawnSeries.current, next);
    return drawnSeries.current;
  }, [calls, now, earlier]);
}

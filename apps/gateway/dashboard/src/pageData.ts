import type { SelfhealEvent } from '@selfheal/schemas';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { type DashboardInfo, type Entry, EventHistory, toEntries } from './model.js';

/** `GET dashboard/api/events`: the history, and where it comes from (`log` or `stream`). */
export async function fetchEvents(): Promise<{ entries: Entry[]; source: string }> {
  const res = await fetch('dashboard/api/events', { cache: 'no-store' });
  if (!res.ok) throw new Error(`GET dashboard/api/events: ${res.status}`);
  const body = (await res.json()) as { events: SelfhealEvent[]; source: string };
  return { entries: toEntries(body.events), source: body.source };
}

/** `GET dashboard/api/info` once: the page's mode; null until it is read. */
export function useDashboardInfo(onProblem: (message: string) => void): DashboardInfo | null {
  const [info, setInfo] = useState<DashboardInfo | null>(null);
  useEffect(() => {
    fetch('dashboard/api/info', { cache: 'no-store' })
      .then(async (res) => {
        if (!res.ok) throw new Error(`GET dashboard/api/info: ${res.status}`);
        setInfo((await res.json()) as DashboardInfo);
      })
      .catch((error: Error) => onProblem(error.message));
  }, []);
  return info;
}

/** The page's event history and the two ways it changes. */
export interface EventHistoryHandle {
  history: EventHistory;
  /** Puts another history in its place (a history read back). */
  replaceHistory(next: EventHistory): void;
  /** Adds live entries to the current history (in place). */
  addToHistory(entries: Entry[]): void;
}

/**
 * The history, changed in place (see EventHistory): its `version`, kept as state, renders the
 * page again when it changes. Both functions are the same on every render.
 */
export function useEventHistory(): EventHistoryHandle {
  const historyRef = useRef<EventHistory | null>(null);
  historyRef.current ??= new EventHistory();
  const [, setVersion] = useState(historyRef.current.version);
  const replaceHistory = useCallback((next: EventHistory) => {
    historyRef.current = next;
    setVersion(next.version);
  }, []);
  const addToHistory = useCallback((entries: Entry[]) => {
    if (historyRef.current?.add(entries)) setVersion(historyRef.current.version);
  }, []);
  return { history: historyRef.current, replaceHistory, addToHistory };
}

/**
 * A replay's page (`selfheal replay --serve`): reads the history once and views its last
 * instant.
 */
export function useReplayHistory(
  info: DashboardInfo | null,
  replaceHistory: (next: EventHistory) => void,
  viewAt: (ms: number) => void,
  onProblem: (message: string) => void,
): void {
  useEffect(() => {
    if (info?.mode !== 'replay') return;
    fetchEvents()
      .then(({ entries }) => {
        replaceHistory(EventHistory.of(entries));
        if (entries.length > 0) viewAt(entries[entries.length - 1]!.ms);
      })
      .catch((error: Error) => onProblem(error.message));
  }, [info, replaceHistory]);
}

/** The time now (epoch ms), renewed every second: the ages and countdowns shown tick. */
export function useNow(): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

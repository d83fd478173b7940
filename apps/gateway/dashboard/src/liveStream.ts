import type { SelfhealEvent } from '@selfheal/schemas';
import { reconnectDelay, type Snapshot } from './model.js';

/** What the page learns from the live connection. */
export interface LiveStreamHandlers {
  /** Connected (again): the gateway's current state; every event after it follows. */
  onSnapshot(snapshot: Snapshot): void;
  onEvent(event: SelfhealEvent): void;
  /** Lost the connection; the next attempt starts in `retryInMs`. */
  onDisconnect(retryInMs: number, attempt: number): void;
}

/** `WS /health/stream` with reconnects: 250 ms doubling up to 8 s, reset once a snapshot came. */
export function connectLiveStream(url: string, handlers: LiveStreamHandlers): () => void {
  let attempt = 0;
  let socket: WebSocket | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const open = () => {
    timer = undefined;
    const ws = new WebSocket(url);
    socket = ws;
    let lost = false;
    const onLost = () => {
      if (lost || stopped) return;
      lost = true;
      const wait = reconnectDelay(attempt);
      handlers.onDisconnect(wait, attempt);
      attempt++;
      timer = setTimeout(open, wait);
    };
    ws.onmessage = (message) => {
      let data: unknown;
      try {
        data = JSON.parse(String(message.data));
      } catch {
        return;
      }
      const event = data as SelfhealEvent;
      if (event.event_type === 'snapshot') {
        attempt = 0;
        handlers.onSnapshot(data as Snapshot);
      } else handlers.onEvent(event);
    };
    ws.onclose = onLost;
    ws.onerror = () => ws.close();
  };
  open();
  return () => {
    stopped = true;
    if (timer !== undefined) clearTimeout(timer);
    socket?.close();
  };
}

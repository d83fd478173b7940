import type { Connection } from './liveFeed.js';
import type { DashboardInfo } from './model.js';

/** The title, and what the page shows: a live gateway (and where its history is from) or a replay. */
export function PageHeader({ info, source }: { info: DashboardInfo | null; source: string }) {
  return (
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
  );
}

/** The live page's link to its gateway, told while it is not live (empty in a replay). */
export function ConnectionStatus({
  isLive,
  connection,
  now,
}: {
  isLive: boolean;
  connection: Connection;
  now: number;
}) {
  return (
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
  );
}

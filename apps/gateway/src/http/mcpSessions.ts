import type { ServerResponse } from 'node:http';
import type { Clock } from '@selfheal/internal';
import { Gauge, type Registry } from 'prom-client';
import type { GatewaySession } from '../session/gatewaySession.js';
import type { NodeStreamableHttpTransport } from './nodeStreamableHttp.js';

/** One MCP session over HTTP (MCP 2025-11-25, `Mcp-Session-Id`). */
export interface McpSessionEntry {
  transport: NodeStreamableHttpTransport;
  session: GatewaySession;
  /** Epoch ms of the last request start or stream end. */
  lastSeen: number;
  /** Requests and streams (GET) of this session still open. */
  open: number;
}

/**
 * The open MCP sessions by id, and their end when idle: a session with no request and no open
 * stream for `idleMs` is closed, with its upstream sessions (stdio processes), because clients
 * that vanish without DELETE must not leak them.
 */
export interface McpSessions {
  readonly size: number;
  get(id: string): McpSessionEntry | undefined;
  set(id: string, entry: McpSessionEntry): void;
  delete(id: string): void;
  /** Counts `res` as open on `entry` until it closes: a session is never idle mid-request. */
  track(entry: McpSessionEntry, res: ServerResponse): void;
  /** Starts looking for idle sessions (every `idleMs`, at most a minute apart). */
  startSweep(): void;
  /** Stops the sweep and closes every session and its transport. Idempotent. */
  closeAll(): Promise<void>;
}

/** An empty session table on `clock`; nothing is swept before `startSweep()`. */
export function createMcpSessions(clock: Clock, idleMs: number): McpSessions {
  const sessions = new Map<string, McpSessionEntry>();
  const sweepEveryMs = Math.min(idleMs, 60_000);
  let sweepTimer: unknown;
  const sweep = () => {
    const now = clock.now();
    for (const [id, entry] of sessions) {
      if (entry.open > 0 || now - entry.lastSeen < idleMs) continue;
      sessions.delete(id);
      void entry.transport.close().catch(() => {});
      void entry.session.close();
    }
    sweepTimer = clock.setTimeout(sweep, sweepEveryMs);
  };
  return {
    get size() {
      return sessions.size;
    },
    get: (id) => sessions.get(id),
    set: (id, entry) => void sessions.set(id, entry),
    delete: (id) => void sessions.delete(id),
    track(entry, res) {
      entry.open++;
      entry.lastSeen = clock.now();
      res.once('close', () => {
        entry.open--;
        entry.lastSeen = clock.now();
      });
    },
    startSweep() {
      sweepTimer = clock.setTimeout(sweep, sweepEveryMs);
    },
    async closeAll() {
      if (sweepTimer !== undefined) clock.clearTimeout(sweepTimer);
      sweepTimer = undefined;
      const entries = [...sessions.values()];
      sessions.clear();
      await Promise.all(
        entries.map(async ({ transport, session }) => {
          await transport.close().catch(() => {});
          await session.close();
        }),
      );
    },
  };
}

/**
 * `selfheal_sessions`, the open sessions, read at each scrape. Replaces a gauge of that name an
 * earlier HTTP server on the same gateway registered: a registry refuses a second one.
 */
export function registerSessionGauge(registry: Registry, sessions: McpSessions): void {
  registry.removeSingleMetric('selfheal_sessions');
  new Gauge({
    name: 'selfheal_sessions',
    help: 'Open MCP client sessions over HTTP.',
    registers: [registry],
    collect() {
      this.set(sessions.size);
    },
  });
}

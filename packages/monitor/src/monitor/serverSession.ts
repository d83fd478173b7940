import type { Client } from '@modelcontextprotocol/client';
import { errorMessage, MonitorError, MonitorErrorCode } from '../errors.js';
import { openSession, type SessionProfile } from '../session/mcpSession.js';
import type { ServerContext } from './serverContext.js';

/** The least time given to `initialize` when a session opens, ms. */
const MIN_SESSION_TIMEOUT_MS = 5000;

/** Told of every session change: a new initialised client, or undefined when it closed. */
export type SessionListener = (client: Client | undefined) => void;

/**
 * The monitor's one MCP session to a server: at most one is open, the newest wins, and every
 * change is told to the listeners (the gateway lists catalogs over it).
 */
export interface ServerSession {
  /** The live session, if any. */
  readonly client: Client | undefined;
  /** Subscribes to session changes; returns the unsubscribe. */
  onSession(listener: SessionListener): () => void;
  /** Forgets the session at once and closes it in the background. */
  close(): void;
  /** Opens a session to the live process (stdio) or the URL; throws why not. */
  open(): Promise<void>;
}

/**
 * Creates the session of the server in `ctx`. `onLost` is told when the transport closed a
 * session under it for a reason a check must report (a line over the limit); the session is
 * already forgotten then.
 */
export function createServerSession(
  ctx: ServerContext,
  profile: SessionProfile | undefined,
  onLost: (error: MonitorError) => void,
): ServerSession {
  const { server, supervisor, clock } = ctx;
  const listeners = new Set<SessionListener>();
  let client: Client | undefined;
  const notify = (c: Client | undefined) => {
    for (const listener of listeners) listener(c);
  };

  function close(): void {
    const current = client;
    client = undefined;
    if (current === undefined) return;
    void current.close().catch(() => {});
    notify(undefined);
  }

  async function open(): Promise<void> {
    close();
    // initialize after a cold start (npx, a JIT warming up) may take longer than a ping.
    const timeoutMs = Math.max(server.health.timeoutMs, MIN_SESSION_TIMEOUT_MS);
    let opened: Client;
    try {
      opened = await openSession(server, supervisor?.current, { ...profile, clock, timeoutMs });
    } catch (error) {
      // A stdio server that dies during initialize shows only "Connection closed" here; what
      // it printed says why (its exit, with the same lines, is reported by the exit listener).
      const stderr = supervisor?.recentStderr() ?? [];
      if (stderr.length === 0) throw error;
      throw new Error(`${errorMessage(error)}; stderr: ${stderr.join(' | ')}`, { cause: error });
    }
    if (!ctx.active()) {
      // Stopped or disabled while the session opened: nobody may use it.
      void opened.close().catch(() => {});
      throw new Error('the monitor stopped watching this server');
    }
    // Another open (a reset's start-up) may have finished meanwhile: keep the newest only.
    close();
    client = opened;
    watch(opened);
    notify(client);
  }

  /**
   * A session the transport closed under it (a stdio server wrote a line over the limit) is
   * lost as a broken pipe is: forgotten at once, and reported through `onLost`.
   */
  function watch(opened: Client): void {
    let lost: MonitorError | undefined;
    opened.onerror = (error) => {
      if (error instanceof MonitorError && error.code === MonitorErrorCode.LineTooLong)
        lost = error;
    };
    opened.onclose = () => {
      if (client !== opened) return;
      client = undefined;
      notify(undefined);
      if (lost !== undefined) onLost(lost);
    };
  }

  return {
    get client() {
      return client;
    },
    onSession(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close,
    open,
  };
}

import { readFile } from 'node:fs/promises';
import {
  type JetStreamClient,
  type JetStreamManager,
  jetstream,
  jetstreamManager,
} from '@nats-io/jetstream';
import {
  type ConnectionOptions,
  connect,
  credsAuthenticator,
  type NatsConnection,
} from '@nats-io/transport-node';
import { EventsError, EventsErrorCode } from '../errors.js';

/** Options of {@link connectNats}: the config's `event_emission.nats` in camelCase. */
export interface NatsLinkOptions {
  /** NATS server URLs (`nats://127.0.0.1:4222`). */
  servers: string[];
  /** The JetStream stream of events; created when missing. */
  stream: string;
  /**
   * Subjects of the stream: each replica publishes on `<subject>.<replica>`.
   * @default 'selfheal.events'
   */
  subject?: string;
  /** A NATS credentials file (`.creds`, JWT and NKey seed). @default none */
  credentials?: string;
  /**
   * The stream's duplicate window, ms: a message whose `Nats-Msg-Id` (the event's `event_id`)
   * was stored this recently is acknowledged and not stored again. Used when the stream is
   * created; an existing stream keeps its own.
   * @default 120000 (JetStream's default)
   */
  duplicateWindowMs?: number;
  /** The connection's name, seen by the server. @default 'selfheal' */
  name?: string;
  /** Waits between reconnection attempts, ms. @default 250 */
  reconnectWaitMs?: number;
  /**
   * Wait for the first connection as long as it takes (a replica started before NATS); false
   * fails at once when NATS cannot be reached (a one-off reader). @default true
   */
  waitForServer?: boolean;
  /** Use the stream only if it exists (a reader): never create it. @default false */
  existingOnly?: boolean;
}

/** A connection to NATS and the JetStream stream of events, kept up while the process runs. */
export interface NatsLink {
  readonly connection: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly stream: string;
  readonly subject: string;
  /** Whether the connection is up now. */
  readonly up: boolean;
  /** Calls `listener` with `true` on every reconnect and `false` on every disconnect. */
  onStatus(listener: (up: boolean) => void): () => void;
  /** Closes the connection (pending publishes are flushed first). Idempotent. */
  close(): Promise<void>;
}

/** A subject token: what NATS allows between dots (no space, `.`, `*`, `>`). */
const TOKEN = /^[^\s.*>]+$/;

/** Checks a replica name can be a subject token; returns it. @throws EventsError BAD_OPTION */
export function checkReplicaName(replica: string): string {
  if (!TOKEN.test(replica)) {
    throw new EventsError(
      EventsErrorCode.BadOption,
      `replica name "${replica}" cannot be a NATS subject token: use letters, digits, - and _ (no spaces, ".", "*" or ">")`,
    );
  }
  return replica;
}

/**
 * Connects to NATS (waiting for the first connection as long as it takes, then reconnecting
 * forever) and makes sure the event stream exists with subjects `<subject>.>`.
 * @throws EventsError BAD_OPTION for a stream or subject NATS cannot take.
 */
export async function connectNats(options: NatsLinkOptions): Promise<NatsLink> {
  const subject = options.subject ?? 'selfheal.events';
  if (!/^[A-Za-z0-9_-]+$/.test(options.stream)) {
    throw new EventsError(
      EventsErrorCode.BadOption,
      `event_emission.nats.stream: "${options.stream}" is not a JetStream stream name (letters, digits, - and _)`,
    );
  }
  if (!subject.split('.').every((t) => TOKEN.test(t))) {
    throw new EventsError(
      EventsErrorCode.BadOption,
      `event_emission.nats.subject: "${subject}" is not a NATS subject (dot-separated tokens, no wildcards)`,
    );
  }
  const connectOptions: ConnectionOptions = {
    servers: options.servers,
    name: options.name ?? 'selfheal',
    reconnect: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: options.reconnectWaitMs ?? 250,
    waitOnFirstConnect: options.waitForServer ?? true,
    ...(options.waitForServer === false && { timeout: 5000 }),
  };
  if (options.credentials !== undefined) {
    connectOptions.authenticator = credsAuthenticator(await readFile(options.credentials));
  }
  const connection = await connect(connectOptions);
  const jsm = await jetstreamManager(connection);
  if (options.existingOnly) {
    await jsm.streams.info(options.stream).catch(async (error: unknown) => {
      await connection.close();
      throw new EventsError(
        EventsErrorCode.LogUnreadable,
        `no JetStream stream "${options.stream}" on ${options.servers.join(', ')}: ${(error as Error).message}`,
        { cause: error },
      );
    });
  } else await ensureStream(jsm, options.stream, subject, options.duplicateWindowMs ?? 120_000);
  const js = jetstream(connection);
  let up = true;
  const listeners = new Set<(up: boolean) => void>();
  void (async () => {
    for await (const status of connection.status()) {
      const next =
        status.type === 'reconnect' ? true : status.type === 'disconnect' ? false : undefined;
      if (next === undefined || next === up) continue;
      up = next;
      for (const listener of listeners) listener(up);
    }
  })();
  let closing: Promise<void> | undefined;
  return {
    connection,
    js,
    jsm,
    stream: options.stream,
    subject,
    get up() {
      return up && !connection.isClosed();
    },
    onStatus(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      closing ??= connection.isClosed()
        ? Promise.resolve()
        : connection.drain().catch(() => connection.close());
      return closing;
    },
  };
}

async function ensureStream(
  jsm: JetStreamManager,
  stream: string,
  subject: string,
  duplicateWindowMs: number,
): Promise<void> {
  try {
    await jsm.streams.info(stream);
    return;
  } catch {
    // Not there yet (or not readable): create it; a concurrent creation by another replica
    // with the same settings succeeds too.
  }
  try {
    await jsm.streams.add({
      name: stream,
      subjects: [`${subject}.>`],
      duplicate_window: duplicateWindowMs * 1_000_000,
    });
  } catch (error) {
    await jsm.streams.info(stream).catch(() => {
      throw new EventsError(
        EventsErrorCode.BadOption,
        `cannot create the JetStream stream "${stream}": ${(error as Error).message}`,
        { cause: error },
      );
    });
  }
}

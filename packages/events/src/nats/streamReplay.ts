import { EventsError, EventsErrorCode } from '../errors.js';
import type { ReplayOptions, ReplayReport, ReplaySourceItem } from '../replay/replay.js';
import { replayEvents } from '../replay/replay.js';
import { connectNats } from './natsLink.js';
import { readStream } from './streamReader.js';

/** Where a stream is: `nats://HOST[:PORT]/STREAM`. */
export interface StreamAddress {
  /** `nats://HOST:PORT`. */
  server: string;
  stream: string;
}

/** Whether `value` names a stream (`nats://...`) rather than a file. */
export function isStreamUrl(value: string): boolean {
  return value.startsWith('nats://');
}

/**
 * Parses `nats://HOST[:PORT]/STREAM`.
 * @throws EventsError BAD_OPTION naming what is wrong.
 */
export function parseStreamUrl(value: string): StreamAddress {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new EventsError(
      EventsErrorCode.BadOption,
      `"${value}" is not a URL; expected nats://HOST[:PORT]/STREAM`,
    );
  }
  const stream = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (url.protocol !== 'nats:' || url.hostname === '' || !/^[A-Za-z0-9_-]+$/.test(stream)) {
    throw new EventsError(
      EventsErrorCode.BadOption,
      `"${value}" is not nats://HOST[:PORT]/STREAM (a stream name is letters, digits, - and _)`,
    );
  }
  const auth = url.username ? `${url.username}${url.password ? `:${url.password}` : ''}@` : '';
  return { server: `nats://${auth}${url.host}`, stream };
}

/** Options of {@link replayStream}. */
export interface StreamReplayOptions
  extends Pick<ReplayOptions, 'since' | 'until' | 'server' | 'maxIssues'> {
  /** A NATS credentials file. @default none */
  credentials?: string;
}

/**
 * Folds the events stored in a JetStream stream (`nats://HOST[:PORT]/STREAM`) as `replayLogs`
 * folds files, in stream order (the order every replica folds it in), into the same report.
 * @throws EventsError LOG_UNREADABLE when NATS or the stream cannot be reached.
 */
export async function replayStream(
  url: string,
  options: StreamReplayOptions = {},
): Promise<ReplayReport> {
  const { server, stream } = parseStreamUrl(url);
  const link = await connectNats({
    servers: [server],
    stream,
    name: 'selfheal-replay',
    waitForServer: false,
    existingOnly: true,
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
  }).catch((error: unknown) => {
    if (error instanceof EventsError) throw error;
    throw new EventsError(
      EventsErrorCode.LogUnreadable,
      `cannot reach NATS at ${server} for stream "${stream}": ${(error as Error).message}`,
      { cause: error },
    );
  });
  try {
    return await replayEvents(url, items(readStream(link)), options);
  } finally {
    await link.close();
  }
}

async function* items(source: ReturnType<typeof readStream>): AsyncGenerator<ReplaySourceItem[]> {
  for await (const batch of source) {
    yield batch.map((m) =>
      'event' in m ? { event: m.event } : { bad: m.bad, position: m.streamSeq },
    );
  }
}

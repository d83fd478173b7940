import { DeliverPolicy } from '@nats-io/jetstream';
import type { SelfhealEvent } from '@selfheal/schemas';
import type { NatsLink } from './natsLink.js';

/** One event read from the stream, with its stream sequence. */
export interface StreamEvent {
  event: SelfhealEvent;
  /** The message's sequence in the stream (1-based). */
  streamSeq: number;
}

/** Options of {@link followStream}. */
export interface FollowStreamOptions {
  /** Told of every event of the stream, in stream order, from the first. */
  onEvent: (event: SelfhealEvent, streamSeq: number) => void;
  /** Told of a message that is not a JSON object (skipped). @default none */
  onBadMessage?: (streamSeq: number, reason: string) => void;
}

/** A running {@link followStream}. */
export interface StreamFollower {
  /** The sequence of the last message handed over; 0 before any. */
  readonly lastSeq: number;
  /** Resolves once every message stored when this was called has been handed over. */
  caughtUp(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * How long each pull of the follower waits for messages, ms. The client also waits this long
 * between its looks at the consumer after a reconnect: at its default (30 s), a replica whose
 * NATS came back before JetStream did folded nothing of the fleet for up to 30 s, so it missed,
 * for that long, another replica's disable of a server it was probing (RFC 0018). An idle
 * follower sends one pull per period.
 */
const FOLLOW_EXPIRES_MS = 2000;

/**
 * Follows the event stream with an ordered consumer (the client re-creates it at the right
 * sequence after a disconnect, so nothing is skipped or repeated): every event from the first
 * message on, then each new one as it is stored.
 */
export async function followStream(
  link: NatsLink,
  options: FollowStreamOptions,
): Promise<StreamFollower> {
  const consumer = await link.js.consumers.get(link.stream, {
    deliver_policy: DeliverPolicy.All,
  });
  const messages = await consumer.consume({ max_messages: 4096, expires: FOLLOW_EXPIRES_MS });
  let lastSeq = 0;
  const waiting: { seq: number; done: () => void }[] = [];
  const running = (async () => {
    for await (const m of messages) {
      const seq = m.seq;
      lastSeq = seq;
      const event = parseEvent(m.data);
      if (typeof event === 'string') options.onBadMessage?.(seq, event);
      else options.onEvent(event, seq);
      for (let i = waiting.length - 1; i >= 0; i--) {
        if (waiting[i]!.seq <= seq) waiting.splice(i, 1)[0]!.done();
      }
    }
  })();
  return {
    get lastSeq() {
      return lastSeq;
    },
    async caughtUp() {
      const info = await link.jsm.streams.info(link.stream);
      const target = info.state.last_seq;
      if (target <= lastSeq) return;
      await new Promise<void>((done) => waiting.push({ seq: target, done }));
    },
    async stop() {
      await messages.close();
      await running.catch(() => {});
      for (const w of waiting.splice(0)) w.done();
    },
  };
}

/**
 * Reads every message stored in the stream when called, in stream order, in batches, and
 * ends. A message that is not a JSON object is yielded as its reason (a string).
 */
export async function* readStream(
  link: NatsLink,
  batchSize = 8192,
): AsyncGenerator<(StreamEvent | { streamSeq: number; bad: string })[]> {
  const info = await link.jsm.streams.info(link.stream);
  const last = info.state.last_seq;
  if (info.state.messages === 0 || last === 0) return;
  const consumer = await link.js.consumers.get(link.stream, {
    deliver_policy: DeliverPolicy.All,
  });
  const messages = await consumer.consume({ max_messages: batchSize });
  let batch: (StreamEvent | { streamSeq: number; bad: string })[] = [];
  try {
    for await (const m of messages) {
      const event = parseEvent(m.data);
      batch.push(
        typeof event === 'string' ? { streamSeq: m.seq, bad: event } : { event, streamSeq: m.seq },
      );
      const done = m.seq >= last;
      if (batch.length >= batchSize || done || m.info.pending === 0) {
        yield batch;
        batch = [];
      }
      if (done) break;
    }
  } finally {
    await messages.close();
  }
}

const decoder = new TextDecoder();

function parseEvent(data: Uint8Array): SelfhealEvent | string {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(data));
  } catch {
    return 'not JSON';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'not a JSON object';
  }
  return value as SelfhealEvent;
}

/**
 * The `event_id`s of the messages on `subject` stored after stream sequence `afterSeq`: what a
 * replica's forwarder finds already in the stream when it resends from its cursor (RFC 0018).
 * Reads only that subject, from that sequence, with a filtered ordered consumer.
 */
export async function storedIdsAfter(
  link: NatsLink,
  subject: string,
  afterSeq: number,
): Promise<Set<string>> {
  const ids = new Set<string>();
  // null: no message on the subject (a stream created again since the cursor was written).
  const last = await link.jsm.streams.getMessage(link.stream, { last_by_subj: subject });
  if (!last || last.seq <= afterSeq) return ids;
  const consumer = await link.js.consumers.get(link.stream, {
    filter_subjects: subject,
    deliver_policy: DeliverPolicy.StartSequence,
    opt_start_seq: afterSeq + 1,
  });
  const messages = await consumer.consume({ max_messages: 1024 });
  try {
    for await (const m of messages) {
      const event = parseEvent(m.data);
      if (typeof event !== 'string' && typeof event.event_id === 'string') ids.add(event.event_id);
      if (m.seq >= last.seq) break;
    }
  } finally {
    await messages.close();
  }
  return ids;
}

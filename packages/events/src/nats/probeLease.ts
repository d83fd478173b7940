import { type KV, Kvm } from '@nats-io/kv';
import { type Clock, systemClock } from '@selfheal/internal';
import { EventsError, EventsErrorCode } from '../errors.js';
import type { NatsLink } from './natsLink.js';

/** Options of {@link createLease}. */
export interface LeaseOptions {
  link: NatsLink;
  /** Who asks: this replica's name, stored as the lease's value. */
  holder: string;
  /**
   * The lease's time to live, ms: once its holder stops renewing (it died), another replica
   * holds it within this time.
   */
  ttlMs: number;
  /** The key-value bucket. @default 'selfheal_leases' */
  bucket?: string;
  /** The key in the bucket. @default 'remote_probes' */
  key?: string;
  /** @default systemClock */
  clock?: Clock;
  /** Told each time this replica gains (`true`) or loses (`false`) the lease. @default none */
  onChange?: (held: boolean) => void;
}

/** A lease held by one replica at a time. */
export interface Lease {
  /** Whether this replica holds the lease now. */
  readonly held: boolean;
  /** Gives the lease up (deleted, so another replica takes it at its next try) and stops. */
  stop(): Promise<void>;
}

/**
 * Competes for a lease kept as one key in a JetStream key-value bucket whose entries expire
 * after `ttlMs / 2` (the bucket's max age). A replica that holds it renews it every `ttlMs / 6`
 * with a compare-and-set on the revision; the others try to create the key every `ttlMs / 6`,
 * which succeeds only once it is gone. A holder that dies stops renewing: its entry is gone at
 * most `ttlMs / 2` later and another replica holds the lease at most `ttlMs / 6` after that,
 * within `ttlMs`. A holder that cannot renew for `ttlMs / 2` (cut off from NATS) counts itself
 * out, so two replicas never both count themselves in for longer than a renewal round.
 * @throws EventsError BAD_OPTION for a TTL under 300 ms.
 */
export async function createLease(options: LeaseOptions): Promise<Lease> {
  const { link, holder, ttlMs } = options;
  if (!(ttlMs >= 300)) {
    throw new EventsError(EventsErrorCode.BadOption, `lease_ttl_ms must be >= 300, not ${ttlMs}`);
  }
  const clock = options.clock ?? systemClock;
  const bucket = options.bucket ?? 'selfheal_leases';
  const key = options.key ?? 'remote_probes';
  const maxAgeMs = Math.floor(ttlMs / 2);
  const roundMs = Math.max(50, Math.floor(ttlMs / 6));
  const kvm = new Kvm(link.connection);
  let kv: KV;
  try {
    kv = await kvm.open(bucket);
    await kv.status();
  } catch {
    kv = await kvm.create(bucket, { ttl: maxAgeMs, history: 1 });
  }
  let held = false;
  let revision = 0;
  let renewedAt = 0;
  let stopped = false;
  let timer: unknown;

  const setHeld = (next: boolean) => {
    if (next === held) return;
    held = next;
    options.onChange?.(held);
  };

  async function round(): Promise<void> {
    try {
      if (held) {
        revision = await kv.update(key, holder, revision);
        renewedAt = clock.now();
      } else {
        revision = await kv.create(key, holder);
        renewedAt = clock.now();
        setHeld(true);
      }
    } catch (error) {
      if (held) {
        // A wrong revision: the entry expired and someone else holds it now.
        const lost = /wrong last sequence|key exists/i.test(String((error as Error).message));
        if (lost || clock.now() - renewedAt >= maxAgeMs) setHeld(false);
      }
      // Not held: the key exists (someone holds it) or NATS is away; try again next round.
    }
  }

  const loop = async () => {
    if (stopped) return;
    await round();
    if (!stopped) timer = clock.setTimeout(() => void loop(), roundMs);
  };
  await loop();

  return {
    get held() {
      return held && clock.now() - renewedAt < maxAgeMs;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      if (timer !== undefined) clock.clearTimeout(timer);
      if (held) {
        await kv.delete(key, { previousSeq: revision }).catch(() => {});
        setHeld(false);
      }
    },
  };
}

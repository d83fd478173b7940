import { createHmac, timingSafeEqual } from 'node:crypto';

/** The request header that carries the webhook's signature. */
export const SIGNATURE_HEADER = 'x-selfheal-signature';
/** The request header that carries the signed Unix time, in seconds. */
export const TIMESTAMP_HEADER = 'x-selfheal-timestamp';

/**
 * The webhook signature: `sha256=` and the lowercase hex HMAC-SHA256, keyed by the secret, of
 * `<timestamp>.<raw body>` (the timestamp as sent in {@link TIMESTAMP_HEADER}). Signing the time
 * with the body lets a receiver refuse a replayed request.
 */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * Checks a webhook request the way the gateway README tells a receiver to: the signature over
 * the raw body in constant time, and the timestamp within `toleranceSeconds` of `nowSeconds`.
 */
export function verifyWebhook(options: {
  secret: string;
  body: string;
  signature: string | undefined;
  timestamp: string | undefined;
  nowSeconds: number;
  /** @default 300 */
  toleranceSeconds?: number;
}): boolean {
  const { signature, timestamp } = options;
  if (signature === undefined || timestamp === undefined || !/^\d+$/.test(timestamp)) return false;
  if (Math.abs(options.nowSeconds - Number(timestamp)) > (options.toleranceSeconds ?? 300)) {
    return false;
  }
  const expected = Buffer.from(signWebhook(options.secret, timestamp, options.body));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

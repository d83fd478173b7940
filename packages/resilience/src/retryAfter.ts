const HTTP_DATE = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,? .*\b\d{2}:\d{2}:\d{2}\b/;

/**
 * Milliseconds to wait from an HTTP `Retry-After` value: delay-seconds (`"120"`) or an
 * HTTP-date relative to `nowMs`. `undefined` for a value that is neither; never negative.
 */
export function parseRetryAfter(
  value: string | null | undefined,
  nowMs: number,
): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // An HTTP-date (IMF-fixdate, or the obsolete RFC 850 and asctime forms) starts with a day
  // name and has a time; anything else V8's lenient Date.parse might accept is refused.
  if (!HTTP_DATE.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

type HeaderBag = { get?: (name: string) => string | null } | Record<string, unknown>;

function headerValue(headers: HeaderBag | undefined, name: string): string | undefined {
  if (!headers || typeof headers !== 'object') return undefined;
  if (typeof headers.get === 'function')
    return (headers.get as (n: string) => string | null)(name) ?? undefined;
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name && typeof value === 'string') return value;
  }
  return undefined;
}

/**
 * The Retry-After an error carries, in ms: `retryAfterMs` on the error, or a `retry-after`
 * header on `error.headers` or `error.response.headers` (a `Headers` or a plain record).
 */
export function retryAfterOf(error: unknown, nowMs: number): number | undefined {
  if (!error || typeof error !== 'object') return undefined;
  const e = error as {
    retryAfterMs?: unknown;
    headers?: HeaderBag;
    response?: { headers?: HeaderBag };
  };
  if (typeof e.retryAfterMs === 'number' && e.retryAfterMs >= 0) return e.retryAfterMs;
  const raw =
    headerValue(e.headers, 'retry-after') ?? headerValue(e.response?.headers, 'retry-after');
  return parseRetryAfter(raw, nowMs);
}

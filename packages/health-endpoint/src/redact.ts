/** What replaces a secret-looking fragment. */
export const REDACTED = '[redacted]';

/** Longest reason kept per component, in characters. */
const MAX_REASON = 160;

// Order matters: URLs first (they may hold `user:pass@` and `?token=`), then key=value pairs,
// then bearer tokens, then long opaque runs (keys, JWTs, hashes) that survived the rest.
const URL_PATTERN = /\b([a-z][a-z0-9+.-]*):\/\/[^\s'"<>]+/gi;
const SECRET_PAIR =
  /\b([\w.-]*(?:pass(?:word|wd)?|pwd|secret|token|api[_-]?key|auth(?:orization)?|credentials?|cookie|session|private[_-]?key)[\w.-]*)(\s*[=:]\s*)(?:(?:bearer|basic)\s+)?("[^"]*"|'[^']*'|[^\s,;&]+)/gi;
const BEARER = /\b(bearer|basic)\s+[^\s,;]+/gi;
const OPAQUE = /[A-Za-z0-9_\-+/=.]{24,}/g;

/**
 * Removes what must never appear in a public `/health` body from one line of text: URLs and
 * connection strings (kept as `scheme://[redacted]`), `password=`/`token:`-style pairs,
 * bearer/basic credentials and long opaque strings (keys, JWTs, hashes).
 */
export function redactSecrets(text: string): string {
  return text
    .replace(URL_PATTERN, (_m, scheme: string) => `${scheme}://${REDACTED}`)
    .replace(SECRET_PAIR, (_m, key: string, sep: string) => `${key}${sep}${REDACTED}`)
    .replace(BEARER, (_m, kind: string) => `${kind} ${REDACTED}`)
    .replace(OPAQUE, (match) => (/[\d_\-+/=.]/.test(match) ? REDACTED : match));
}

/**
 * A short, public reason for a failed component: the first line of the message only (never
 * a stack trace), with secrets redacted and the length capped. `error.code` (`ECONNREFUSED`)
 * is kept because it says why without saying where.
 */
export function describeFailure(error: unknown): string {
  let text: string;
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const prefix = error.name && error.name !== 'Error' ? `${error.name}: ` : '';
    text = `${prefix}${error.message}`;
    if (typeof code === 'string' && !text.includes(code)) text = `${code}: ${text}`;
  } else if (typeof error === 'string') {
    text = error;
  } else {
    text = 'threw a non-Error value';
  }
  return toPublicReason(text) || 'failed without a message';
}

/** One line, no stack frame, secrets redacted, at most 160 characters. */
export function toPublicReason(text: string): string {
  const firstLine = (text.split(/\r?\n/, 1)[0] ?? '').trim();
  const clean = redactSecrets(firstLine);
  return clean.length > MAX_REASON ? `${clean.slice(0, MAX_REASON - 1)}…` : clean;
}

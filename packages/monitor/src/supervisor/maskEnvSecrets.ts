/** A name that marks an environment variable's value as a secret. */
const SECRET_NAME = /TOKEN|SECRET|KEY|PASSWORD|PASSWD|CREDENTIAL/i;

/** The shortest value redacted for its own sake: a one-letter "secret" would eat every word. */
const MIN_SECRET_LENGTH = 4;

const REDACTED = '[redacted]';

/**
 * Masks what could be a secret in text a server printed (its stderr) before it goes into an
 * event, a terminal line or `/health`:
 * - the value of every variable of `env` (the server's own `env` config) whose name looks like
 *   a secret (`*TOKEN*`, `*SECRET*`, `*KEY*`, `*PASSWORD*`, `*CREDENTIAL*`), 4 characters or
 *   longer;
 * - the credential after `Bearer ` / `Basic ` and after `NAME=` when NAME looks like a secret
 *   (`API_KEY=abc123`);
 * - bearer-like strings: one run of 32 or more letters, digits, `_` and `-` holding both
 *   letters and digits (API keys, JWT parts, `ghp_...`).
 * Ordinary words, paths, URLs, numbers and a variable's name are kept: `FATAL: GITHUB_TOKEN is
 * not set` passes unchanged. (A public `/health` body is redacted harder, by
 * `@selfheal/health-endpoint`'s `redactSecrets`: this text goes to the operator's own log.)
 */
export function maskEnvSecrets(text: string, env: Record<string, string> = {}): string {
  let out = text;
  const values = Object.entries(env)
    .filter(([name, value]) => SECRET_NAME.test(name) && value.length >= MIN_SECRET_LENGTH)
    .map(([, value]) => value)
    // The longest first, so a secret that contains another is masked whole.
    .sort((a, b) => b.length - a.length);
  for (const value of values) out = out.split(value).join(REDACTED);
  out = out.replace(/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, `$1 ${REDACTED}`);
  out = out.replace(/\b([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|'[^']*'|\S+)/g, (match, name: string) =>
    SECRET_NAME.test(name) ? `${name}=${REDACTED}` : match,
  );
  out = out.replace(/[A-Za-z0-9_-]{32,}/g, (run) =>
    /[A-Za-z]/.test(run) && /[0-9]/.test(run) ? REDACTED : run,
  );
  return out;
}

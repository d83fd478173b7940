import { createHash, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import type { GatewaySettings } from '../config/loadConfig.js';
import { GatewayError, GatewayErrorCode } from '../errors.js';

/**
 * Reads the bearer tokens the config names: the value of `token_env`, and every non-blank line
 * of `token_file` that is not a `#` comment. Resolves to [] when no auth is configured.
 * @throws GatewayError(AUTH_UNUSABLE) when a named source is missing or yields no token, so a
 * gateway meant to be guarded never starts open.
 */
export async function loadTokens(
  auth: GatewaySettings['auth'],
  env: NodeJS.ProcessEnv = process.env,
): Promise<string[]> {
  const tokens: string[] = [];
  if (auth.tokenEnv !== undefined) {
    const value = env[auth.tokenEnv]?.trim();
    if (!value)
      throw new GatewayError(
        GatewayErrorCode.AuthUnusable,
        `gateway.auth.token_env names ${auth.tokenEnv}, but that environment variable is not set or empty; set it to the bearer token clients must send.`,
      );
    tokens.push(value);
  }
  if (auth.tokenFile !== undefined) {
    let text: string;
    try {
      text = await readFile(auth.tokenFile, 'utf8');
    } catch (cause) {
      throw new GatewayError(
        GatewayErrorCode.AuthUnusable,
        `gateway.auth.token_file ${auth.tokenFile} cannot be read (${(cause as NodeJS.ErrnoException).code ?? cause}).`,
        { cause },
      );
    }
    const lines = text
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'));
    if (lines.length === 0)
      throw new GatewayError(
        GatewayErrorCode.AuthUnusable,
        `gateway.auth.token_file ${auth.tokenFile} holds no token (one per line).`,
      );
    tokens.push(...lines);
  }
  return tokens;
}

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * A check of a given secret against `secrets`: true when it equals one. Compares SHA-256
 * digests with timingSafeEqual (equal lengths, constant time) and checks every secret, so
 * neither the length nor the position of a match leaks through timing.
 */
export function createSecretCheck(secrets: readonly string[]): (given: string) => boolean {
  const expected = secrets.map(digest);
  return (given) => {
    const candidate = digest(given);
    let ok = false;
    for (const secret of expected) ok = timingSafeEqual(candidate, secret) || ok;
    return ok;
  };
}

/**
 * A bearer check over `tokens`: true when the `Authorization: Bearer <token>` header matches one
 * (in constant time, see {@link createSecretCheck}).
 */
export function createBearerCheck(
  tokens: readonly string[],
): (header: string | undefined) => boolean {
  const isToken = createSecretCheck(tokens);
  return (header) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
    const ok = isToken(match?.[1] ?? '');
    return ok && match !== null;
  };
}

/** Host and Origin names accepted, against DNS rebinding. */
export interface OriginPolicy {
  hosts: Set<string>;
  origins: Set<string>;
}

/**
 * The accepted Host and Origin values: the configured lists, or by default the loopback names
 * (`127.0.0.1`, `localhost`, `[::1]`) and the bound host, with and without the bound port.
 */
export function createOriginPolicy(settings: GatewaySettings, port: number): OriginPolicy {
  const names = ['127.0.0.1', 'localhost', '[::1]'];
  if (!['0.0.0.0', '::', ''].includes(settings.host))
    names.push(settings.host.includes(':') ? `[${settings.host}]` : settings.host);
  const defaults = names.flatMap((n) => [n, `${n}:${port}`]);
  const hosts = settings.allowedHosts ?? defaults;
  const origins =
    settings.allowedOrigins ??
    names.flatMap((n) => [`http://${n}:${port}`, `https://${n}:${port}`]);
  return {
    hosts: new Set(hosts.map((h) => h.toLowerCase())),
    origins: new Set(origins.map((o) => o.toLowerCase())),
  };
}

/**
 * Why a request fails the rebinding check, or undefined when it passes: its Host must be
 * accepted, and an Origin, when a browser sends one, too.
 */
export function rebindingViolation(req: IncomingMessage, policy: OriginPolicy): string | undefined {
  const host = req.headers.host?.toLowerCase();
  if (host === undefined || !policy.hosts.has(host))
    return `Host header ${JSON.stringify(req.headers.host ?? null)} is not accepted (gateway.allowed_hosts)`;
  const origin = req.headers.origin;
  if (origin !== undefined && !policy.origins.has(origin.toLowerCase()))
    return `Origin ${JSON.stringify(origin)} is not accepted (gateway.allowed_origins)`;
  return undefined;
}

/** A request body over the limit. */
export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`request body exceeds ${limit} bytes (gateway.max_body_bytes)`);
  }
}

/**
 * Reads a request body of at most `limit` bytes. Rejects with BodyTooLargeError as soon as the
 * declared or received size passes the limit, without buffering the rest.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      reject(new BodyTooLargeError(limit));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        req.resume();
        reject(new BodyTooLargeError(limit));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

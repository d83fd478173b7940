import { isIP } from 'node:net';

/**
 * Whether `host` binds to this machine only: `localhost`, an address of 127.0.0.0/8, `::1`
 * (bracketed or not), or an IPv4-mapped loopback (`::ffff:127.0.0.1`). Any other name or
 * address (`0.0.0.0`, `::`, a LAN address, a host name) may be reached from the network.
 */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || /^::ffff:127\./.test(h);
  return false;
}

/** What decides whether the gateway may listen, and what its banner says of auth. */
export interface BindFacts {
  host: string;
  /** How many bearer tokens the config gave (`gateway.auth`). */
  tokens: number;
  /** `--allow-unauthenticated`: the operator accepts a non-loopback bind without a token. */
  allowUnauthenticated: boolean;
}

/**
 * Why the gateway must not listen as configured, or undefined when it may: a bind other than
 * loopback without a token would serve every server to anyone on the network.
 */
export function refuseBind(facts: BindFacts): string | undefined {
  if (facts.tokens > 0 || facts.allowUnauthenticated || isLoopbackHost(facts.host))
    return undefined;
  return `refusing to listen on ${facts.host} (--host or gateway.host) without a token: it is reachable beyond this machine, and anyone who reaches it could call every server. Set gateway.auth.token_env or gateway.auth.token_file in the config, listen on 127.0.0.1, or pass --allow-unauthenticated to accept it knowingly`;
}

/** The `auth` line of the start-up banner: true in every case. */
export function describeAuth(facts: BindFacts): string {
  if (facts.tokens > 0)
    return `bearer token required (${facts.tokens} token${facts.tokens === 1 ? '' : 's'})`;
  if (isLoopbackHost(facts.host)) return 'none (loopback only: this machine can connect)';
  return `NONE: anyone who can reach ${facts.host} can call every server (--allow-unauthenticated)`;
}

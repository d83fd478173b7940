import type { Implementation } from '@modelcontextprotocol/server';
import type { Clock } from '@selfheal/internal';
import { EventEmitter } from 'eventemitter3';
import type { LoadedConfig, UpstreamSpec } from '../config/loadConfig.js';
import type { GatewayEvents, GatewayOptions } from '../gateway.js';
import type { GatewaySession } from '../session/gatewaySession.js';
import { createTrustGuard, type TrustGuard } from '../trust/trustGuard.js';
import { defaultTransportFactory, type TransportFactory } from '../upstream/transportFactory.js';
import type { UpstreamServer } from '../upstream/upstreamServer.js';
import { GATEWAY_VERSION } from '../version.js';
import type { EventPath } from './eventPath.js';

/**
 * What the parts of a gateway share: the seams it was built with, its event path, the trust
 * guard, and the tables of servers and client sessions a reload changes in place. Made once by
 * `createGateway`; the parts read it, and only the upstream wiring and the reload change the
 * tables.
 */
export interface GatewayContext {
  /**
   * The config the gateway was created with. Its `gateway` settings object is the one every
   * router reads per request; a reload writes the settings it can take into it (RFC 0019).
   */
  readonly config: LoadedConfig;
  readonly clock: Clock;
  readonly factory: TransportFactory;
  /** What the gateway calls itself to servers and clients. */
  readonly serverInfo: Implementation;
  readonly emitter: EventEmitter<GatewayEvents>;
  readonly path: EventPath;
  readonly trust: TrustGuard;
  /**
   * The upstreams in config order. Sessions and the stateless face read this one array, so a
   * reload changes it in place (RFC 0019), through {@link setUpstreams} only.
   */
  readonly upstreams: UpstreamServer[];
  /** How many times {@link setUpstreams} changed `upstreams`: routers compare it per request. */
  upstreamsGeneration: number;
  readonly upstreamByName: Map<string, UpstreamServer>;
  /** Each configured server's resolved entry, disabled ones too (the monitor's transports). */
  readonly specByName: Map<string, UpstreamSpec>;
  /** The open client sessions: every list change is sent to each. */
  readonly sessions: Set<GatewaySession>;
}

/**
 * The context of a gateway on `path`, with no upstream yet. The trust guard subscribes to the
 * bus here, before anything is published, like the health projections.
 */
export function createGatewayContext(
  options: Pick<GatewayOptions, 'config' | 'factory'>,
  path: EventPath,
  clock: Clock,
): GatewayContext {
  const { config } = options;
  const emitter = new EventEmitter<GatewayEvents>();
  return {
    config,
    clock,
    factory: options.factory ?? defaultTransportFactory,
    serverInfo: { name: 'selfheal', version: GATEWAY_VERSION },
    emitter,
    path,
    trust: createTrustGuard({
      document: config.document,
      bus: path.bus,
      events: path.events,
      clock,
      publish: path.publishNow,
      onUncompilable: (message) => emitter.emit('warning', message),
    }),
    upstreams: [],
    upstreamsGeneration: 0,
    upstreamByName: new Map(),
    specByName: new Map(config.upstreams.map((spec) => [spec.name, spec])),
    sessions: new Set(),
  };
}

/**
 * Makes `ctx.upstreams` hold `next`, in place, and counts the change, which every router
 * (sessions, the stateless face) sees at its next request.
 */
export function setUpstreams(ctx: GatewayContext, next: readonly UpstreamServer[]): void {
  ctx.upstreams.splice(0, ctx.upstreams.length, ...next);
  ctx.upstreamsGeneration++;
}

/**
 * Whether replicas share the server of `spec` (RFC 0018): a remote (HTTP, SSE) server is the
 * fleet's, probed by the lease holder, its events every replica's news; a stdio server is a
 * process per replica, each replica's own.
 */
export function isFleetShared(spec: { readonly transport: string }): boolean {
  return spec.transport !== 'stdio';
}

/** Whether `name` is a configured server the fleet shares ({@link isFleetShared}). */
export function isRemote(ctx: GatewayContext, name: string | undefined): boolean {
  const spec = name === undefined ? undefined : ctx.specByName.get(name);
  return spec !== undefined && isFleetShared(spec);
}

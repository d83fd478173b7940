import type { Monitor, MonitoredServer } from '@selfheal/monitor';
import { type ConfigDiff, diffConfigs, LIVE_GATEWAY_SETTINGS } from '../config/configDiff.js';
import type { LoadedConfig, UpstreamSpec } from '../config/loadConfig.js';
import type { ReloadOutcome } from '../gateway.js';
import type { ListMethod } from '../upstream/catalog.js';
import type { UpstreamServer } from '../upstream/upstreamServer.js';
import { type GatewayContext, setUpstreams } from './context.js';
import { collisionsOf, visibleTools } from './exposedNames.js';
import type { GatewayPolicies } from './gatewayPolicies.js';

/** What triggered a reload (`config_reloaded.trigger`). */
export type ReloadTrigger = 'file' | 'signal' | 'request';

/** A running gateway's config, and the reloads that change it (RFC 0019). */
export interface ConfigReload {
  /** The config in force: the one the gateway was created with, or the last one reloaded. */
  readonly current: LoadedConfig;
  /** See `Gateway.reload`: one at a time, refused once {@link close} was called. */
  reload(next: LoadedConfig, trigger: ReloadTrigger): Promise<ReloadOutcome>;
  /** Refuses reloads from now on, and waits for the one under way (on stop). */
  close(): Promise<void>;
}

/** What a reload changes besides the context's tables. */
export interface ReloadHost {
  readonly ctx: GatewayContext;
  readonly monitor: Monitor;
  readonly policies: GatewayPolicies;
  /** The fallback chains every router reads per call: replaced in place. */
  readonly fallbackChains: Record<string, string[]>;
  readonly announce: (method: ListMethod) => void;
  /** Creates and wires the upstream of `spec` (see `createUpstream`). */
  readonly createUpstream: (spec: UpstreamSpec) => UpstreamServer;
}

/**
 * Reloads over `host`, starting from the config the gateway was created with. Reloads are
 * chained so that they run one at a time; one that fails does not stop the next.
 */
export function createConfigReload(host: ReloadHost): ConfigReload {
  const state: ReloadState = { current: host.ctx.config };
  let reloading: Promise<unknown> = Promise.resolve();
  let stopping = false;
  return {
    get current() {
      return state.current;
    },
    reload(next, trigger) {
      // A reload that arrives while the gateway stops would start servers nobody stops.
      if (stopping)
        return Promise.reject(new Error('config reload refused: the gateway is stopping'));
      const run = reloading.then(() => applyReload(host, state, next, trigger));
      reloading = run.catch(() => {});
      return run;
    },
    async close() {
      stopping = true;
      // A reload under way finishes first (its servers are then stopped with the rest).
      await reloading;
    },
  };
}

/** The config in force, which a reload replaces before it tells anyone. */
interface ReloadState {
  current: LoadedConfig;
}

/**
 * Takes `next` in place of `state.current`: only the servers whose entry changed are touched;
 * the rest keep their processes, sessions and calls in flight.
 */
async function applyReload(
  host: ReloadHost,
  state: ReloadState,
  next: LoadedConfig,
  trigger: ReloadTrigger,
): Promise<ReloadOutcome> {
  const { ctx } = host;
  const current = state.current;
  const { config, upstreams, upstreamByName } = ctx;
  const diff = diffConfigs(current, next);
  const toolsBefore = visibleTools(upstreams, current);
  await Promise.all([...diff.removed, ...diff.changed].map((name) => dropServer(host, name)));
  // Settings a running gateway can take, in place: every router reads them per request.
  for (const key of LIVE_GATEWAY_SETTINGS)
    (config.gateway as unknown as Record<string, unknown>)[key] = next.gateway[key];
  for (const key of Object.keys(host.fallbackChains)) delete host.fallbackChains[key];
  Object.assign(host.fallbackChains, next.document.fallbacks);
  ctx.trust.reconfigure(next.document);
  const fresh = [...diff.added, ...diff.changed];
  const started = await Promise.all(
    next.servers
      .filter((server) => fresh.includes(server.name))
      .map((server) => startServer(host, next, server, disabledIn(current, server.name))),
  );
  // Config order, as at start.
  const order = next.upstreams.map((u) => u.name);
  setUpstreams(
    ctx,
    order.flatMap((n) => upstreamByName.get(n) ?? []),
  );
  await Promise.all(started.map((u) => u?.start()));
  const now: LoadedConfig = {
    ...next,
    // The settings a reload cannot apply stay as they were (the object every router reads).
    gateway: config.gateway,
    eventEmission: current.eventEmission,
    alerts: current.alerts,
  };
  state.current = now;
  for (const clash of collisionsOf(upstreams, now))
    ctx.emitter.emit('warning', `after the reload: ${clash}`);
  const toolsChanged = toolsBefore.join('\n') !== visibleTools(upstreams, now).join('\n');
  announceChanges(host, diff, toolsChanged, fresh.length > 0 || diff.removed.length > 0);
  ctx.path.publishNow(
    ctx.path.events.configReloaded({
      source: next.source,
      trigger,
      added: diff.added,
      removed: diff.removed,
      restarted: diff.changed,
      ...(diff.restartRequired.length > 0 && { restart_required: diff.restartRequired }),
    }),
  );
  return { ...diff, toolsChanged };
}

/**
 * Sends clients `list_changed` for what a reload changed: tools when the visible tools
 * differ; prompts and resources when servers came or went or the naming changed.
 */
function announceChanges(
  host: ReloadHost,
  diff: ConfigDiff,
  toolsChanged: boolean,
  serversChanged: boolean,
): void {
  if (toolsChanged) host.announce('tools/list');
  if (serversChanged || diff.namingChanged) {
    host.announce('prompts/list');
    host.announce('resources/list');
  }
}

/** Stops a server's upstream, policy and monitored process, and forgets them. */
async function dropServer(host: ReloadHost, name: string): Promise<void> {
  const { ctx } = host;
  const { upstreamByName, specByName } = ctx;
  const upstream = upstreamByName.get(name);
  if (upstream !== undefined) {
    setUpstreams(
      ctx,
      ctx.upstreams.filter((u) => u !== upstream),
    );
    upstreamByName.delete(name);
    specByName.delete(name);
    await upstream.stop();
  }
  host.policies.drop(name);
  await host.monitor.remove(name);
}

/** Whether `config` has the server `name`, with `disabled: true`. */
function disabledIn(config: LoadedConfig, name: string): boolean {
  return config.servers.some((s) => s.name === name && s.disabled);
}

/**
 * Starts a server of `next` (monitored always; an upstream unless it is disabled). One the
 * config in force had disabled and `next` runs is enabled (`server_enabled`, operator
 * `config`): its monitor's view still holds the old config's `server_disabled`.
 */
async function startServer(
  host: ReloadHost,
  next: LoadedConfig,
  server: MonitoredServer,
  wasDisabled: boolean,
): Promise<UpstreamServer | undefined> {
  const spec = next.upstreams.find((u) => u.name === server.name);
  if (spec) host.ctx.specByName.set(spec.name, spec);
  const watched = host.monitor.add(server);
  const upstream = spec ? host.createUpstream(spec) : undefined;
  if (upstream) host.policies.add(next, upstream);
  await watched.start();
  if (wasDisabled && !server.disabled) await watched.enable('config');
  return upstream;
}

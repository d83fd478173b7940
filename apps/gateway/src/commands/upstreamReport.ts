import type { ControlAction } from '@selfheal/monitor';
import type { Gateway } from '../gateway.js';
import type { UpstreamState } from '../upstream/upstreamServer.js';

/** What {@link describeUpstreamChange} needs besides the two states. */
export interface UpstreamChangeContext {
  /** The server's catalog, for the counts on an `up` line. */
  catalog?: { tools: unknown[]; prompts: unknown[]; resources: unknown[] } | undefined;
  /** Whether an operator disabled the server (then `enable` is what starts it again). */
  disabled?: boolean;
  /** The command that sends an operator request to this gateway; without it none is named. */
  command?: ((action: ControlAction, server: string) => string) | undefined;
}

/**
 * The line (with its newline) that tells a person what changed for upstream `name`, or
 * undefined when nothing new happened. One line when it comes up; when it goes down; and while
 * down, when the recovery attempt count or the "waiting for an operator" flag changes. A new
 * error text alone (the same crash seen by another check) prints nothing. A server waiting for
 * an operator names the command that starts it again.
 */
export function describeUpstreamChange(
  name: string,
  state: UpstreamState,
  previous: UpstreamState,
  context: UpstreamChangeContext = {},
): string | undefined {
  if (state.status === 'up') {
    if (previous.status === 'up') return undefined;
    const { catalog } = context;
    const counts = catalog
      ? ` (${catalog.tools.length} tools, ${catalog.prompts.length} prompts, ${catalog.resources.length} resources)`
      : '';
    return `  up    ${name}${counts}\n`;
  }
  if (state.status !== 'down') return undefined;
  const news =
    previous.status !== 'down' ||
    previous.manual !== state.manual ||
    previous.attempt !== state.attempt;
  if (!news) return undefined;
  return `  down  ${name}: ${state.error} (${nextStep(name, state, context)})\n`;
}

function nextStep(
  name: string,
  state: Extract<UpstreamState, { status: 'down' }>,
  context: UpstreamChangeContext,
): string {
  const attempts = `${state.attempt} attempt${state.attempt === 1 ? '' : 's'}`;
  if (!state.manual) return `the monitor is recovering it, ${attempts} so far`;
  const action = context.disabled ? 'enable' : 'reset';
  const run = context.command ? `; to start it again: ${context.command(action, name)}` : '';
  if (context.disabled) return `disabled; waiting for an operator${run}`;
  // No attempt at all: a permanent cause (a missing command) or strategy `manual`.
  if (state.attempt === 0)
    return `not restarted, a restart would fail the same way; fix the config, then start it again${context.command ? `: ${context.command(action, name)}` : ''}`;
  return `recovery stopped after ${attempts}; waiting for an operator${run}`;
}

/**
 * The line that tells a person a check of `name` failed while it was not yet known down (at
 * start-up, or while it answered): the cause at once (`connect ECONNREFUSED 127.0.0.1:9`),
 * not after the failure threshold; undefined at the threshold, where the `down` line says it.
 */
export function describeFailedCheck(
  name: string,
  error: string,
  failures: number,
  threshold: number,
): string | undefined {
  // At the threshold the `down` line follows at once and says it.
  if (failures >= threshold) return undefined;
  return `  fail  ${name}: ${error} (failed check ${failures} of ${threshold} before it counts as down)\n`;
}

/**
 * Prints a line per upstream as it comes up, goes down, or its recovery moves on (see
 * {@link describeUpstreamChange}; the changes of one turn of the event loop as one), a line
 * for a failed check of a server not yet down (see {@link describeFailedCheck}), and each
 * gateway warning. `command` builds the operator
 * command named when a server waits for one (the gateway's control socket).
 */
export function reportUpstreams(
  gateway: Gateway,
  write: (line: string) => void,
  command?: (action: ControlAction, server: string) => string,
): void {
  // Changes of one turn are told as one: a missing command's server_down and the
  // recovery_exhausted right behind it are one line, not "recovering" then "not restarted".
  const pending = new Map<string, { from: UpstreamState; to: UpstreamState }>();
  gateway.on('upstream', (name, state, previous) => {
    const known = pending.get(name);
    if (known) {
      known.to = state;
      return;
    }
    pending.set(name, { from: previous, to: state });
    queueMicrotask(() => {
      const change = pending.get(name)!;
      pending.delete(name);
      const line = describeUpstreamChange(name, change.to, change.from, {
        catalog: gateway.upstreams.find((u) => u.spec.name === name)?.catalog,
        disabled: gateway.health().servers[name]?.lifecycle === 'disabled',
        command,
      });
      if (line) write(line);
    });
  });
  gateway.on('warning', (message) => write(`  ! ${message}\n`));
  // A failed check of a server that is not down yet: its cause, once per new cause.
  const told = new Map<string, string>();
  gateway.bus.events$.subscribe((event) => {
    const name = event.server_name;
    // A process exit is a `down` line at once; no `fail` line before it.
    if (name === undefined || event.event_type !== 'health_check_completed') return;
    if (event.probe === 'process') return;
    const upstream = gateway.upstreams.find((u) => u.spec.name === name);
    if (event.status !== 'down') {
      told.delete(name);
      return;
    }
    const error = typeof event.error === 'string' ? event.error : undefined;
    if (!upstream || upstream.state.status === 'down' || error === undefined) return;
    if (told.get(name) === error) return;
    told.set(name, error);
    const health = gateway.health().servers[name];
    const threshold =
      gateway.config.servers.find((s) => s.name === name)?.health.failureThreshold ?? 1;
    const line = describeFailedCheck(name, error, health?.consecutive_failures ?? 1, threshold);
    if (line) write(line);
  });
}

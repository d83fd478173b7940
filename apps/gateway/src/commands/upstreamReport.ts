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
  return context.disabled
    ? `disabled; waiting for an operator${run}`
    : `recovery stopped after ${attempts}; waiting for an operator${run}`;
}

/**
 * Prints a line per upstream as it comes up, goes down, or its recovery moves on (see
 * {@link describeUpstreamChange}), and each gateway warning. `command` builds the operator
 * command named when a server waits for one (the gateway's control socket).
 */
export function reportUpstreams(
  gateway: Gateway,
  write: (line: string) => void,
  command?: (action: ControlAction, server: string) => string,
): void {
  gateway.on('upstream', (name, state, previous) => {
    const line = describeUpstreamChange(name, state, previous, {
      catalog: gateway.upstreams.find((u) => u.spec.name === name)?.catalog,
      disabled: gateway.health().servers[name]?.lifecycle === 'disabled',
      command,
    });
    if (line) write(line);
  });
  gateway.on('warning', (message) => write(`  ! ${message}\n`));
}

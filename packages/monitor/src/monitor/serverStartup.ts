import type { Clock } from '@selfheal/internal';
import type { MonitoredServer } from '../config/registry.js';
import {
  createProcessSupervisor,
  type ProcessSupervisor,
} from '../supervisor/processSupervisor.js';
import { runRecoveryCommand } from '../supervisor/recoveryCommand.js';
import type { Spawner } from '../supervisor/spawner.js';
import type { ServerContext } from './serverContext.js';
import type { ServerSession } from './serverSession.js';

/** The supervisor of a stdio server's one process; undefined for an HTTP server. */
export function createServerSupervisor(
  server: MonitoredServer,
  spawner: Spawner,
  clock: Clock,
): ProcessSupervisor | undefined {
  if (server.transport !== 'stdio') return undefined;
  return createProcessSupervisor({
    spawner,
    clock,
    stopGraceMs: server.recovery.stopGraceMs,
    spec: {
      command: server.command!,
      args: server.args,
      env: server.env,
      ...(server.cwd !== undefined && { cwd: server.cwd }),
    },
  });
}

/** Bringing a server up: at start, after an operator's action, and as a recovery. */
export interface ServerStartup {
  /**
   * Starts the process (stdio) and opens the session; throws why not. The start-up grace
   * covers a process that boots (a stdio server, or whatever a recovery command started:
   * `grace`); an HTTP server the monitor did not start gets none, so its first refused
   * connection counts at once.
   */
  bringUp(grace?: boolean): Promise<void>;
  /** One recovery action per the strategy; throws with the reason when it did not work. */
  recover(): Promise<void>;
}

/** Creates the {@link ServerStartup} of the server in `ctx`. */
export function createServerStartup(
  ctx: ServerContext,
  session: ServerSession,
  spawner: Spawner,
): ServerStartup {
  const { server, clock, supervisor } = ctx;

  async function bringUp(grace = supervisor !== undefined): Promise<void> {
    ctx.epoch++;
    session.close();
    if (supervisor) {
      const child = await supervisor.restart();
      ctx.events.emit({
        event_type: 'server_started',
        server_name: server.name,
        ...(child.pid && { pid: child.pid }),
      });
    }
    ctx.grace.begin(grace);
    // An HTTP server watched only through /health needs no MCP session.
    if (ctx.needsSession) await session.open();
  }

  async function recover(): Promise<void> {
    if (server.recovery.strategy === 'command') {
      const result = await runRecoveryCommand({
        command: server.recovery.command!,
        timeoutMs: server.recovery.commandTimeoutMs,
        spawner,
        clock,
        env: { SELFHEAL_SERVER: server.name },
      });
      if (!result.ok) throw new Error(result.error);
      if (supervisor?.current) {
        await session.open();
        ctx.grace.begin(true);
        return;
      }
      await bringUp(true);
      return;
    }
    await bringUp();
  }

  return { bringUp, recover };
}

import type { JSONRPCMessage, Transport } from '@modelcontextprotocol/server';
import { type Clock, systemClock } from '@selfheal/internal';
import { createStreamTransport, type SpawnedProcess } from '@selfheal/monitor';

/** Options of {@link createProcessTransport}. */
export interface ProcessTransportOptions {
  /**
   * On close, how long the process may take to exit after its stdin ends, and again after
   * SIGTERM, before SIGTERM and SIGKILL (to its whole process group), ms. @default 2000
   */
  closeGraceMs?: number;
  /** @default systemClock */
  clock?: Clock;
}

/**
 * An MCP client transport over a process this transport owns: started by a spawner (so the
 * process leads its own group and dies with the gateway, RFC 0011), framed by the monitor's
 * `createStreamTransport`. `start` waits until the process runs and rejects with the spawn
 * error (a command not found); `close` detaches, ends stdin, then SIGTERMs and SIGKILLs the
 * group after `closeGraceMs` each, and resolves once it is gone. The process exiting closes
 * the transport (`onclose`).
 */
export function createProcessTransport(
  spawned: SpawnedProcess,
  options: ProcessTransportOptions = {},
): Transport {
  const clock = options.clock ?? systemClock;
  const graceMs = options.closeGraceMs ?? 2000;
  const stream = createStreamTransport(spawned.stdout, spawned.stdin);
  let stopping: Promise<void> | undefined;

  const exitedWithin = async (ms: number): Promise<boolean> => {
    let timer: unknown;
    const grace = new Promise<false>((resolve) => {
      timer = clock.setTimeout(() => resolve(false), ms);
    });
    const exited = await Promise.race([spawned.exited.then(() => true as const), grace]);
    clock.clearTimeout(timer);
    return exited;
  };

  async function stop(): Promise<void> {
    spawned.stdin.end();
    if (await exitedWithin(graceMs)) return;
    spawned.kill('SIGTERM');
    if (await exitedWithin(graceMs)) return;
    spawned.kill('SIGKILL');
    await spawned.exited;
  }

  const transport: Transport = {
    async start() {
      await spawned.ready;
      stream.onmessage = (message) => transport.onmessage?.(message);
      stream.onerror = (error) => transport.onerror?.(error);
      stream.onclose = () => transport.onclose?.();
      await stream.start();
    },
    send(message: JSONRPCMessage) {
      return stream.send(message);
    },
    async close() {
      await stream.close();
      stopping ??= stop();
      await stopping;
    },
  };
  return transport;
}

import type { Clock } from '@selfheal/internal';
import type { MonitoredServer } from '../config/registry.js';
import type { ServerView } from '../decider/serverView.js';
import type { ProcessSupervisor } from '../supervisor/processSupervisor.js';
import type { ServerEvents } from './serverEvents.js';
import type { StartupGrace } from './startupGrace.js';

/**
 * What the parts of one server's monitor share: the server, the time seam, the supervised
 * process, the projected view, the emitter, and what checks must agree on about the process
 * that runs. The monitor keeps no health state: everything else is read from `view()`.
 */
export interface ServerContext {
  readonly server: MonitoredServer;
  readonly clock: Clock;
  /** The one process of a stdio server; undefined for an HTTP server. */
  readonly supervisor: ProcessSupervisor | undefined;
  readonly events: ServerEvents;
  readonly grace: StartupGrace;
  /** Whether an MCP session is kept while the server runs (a probe or the embedder uses it). */
  readonly needsSession: boolean;
  /** The projected state of this server. */
  view(): ServerView;
  /** Neither stopped nor disabled: whether the monitor may still act on the server. */
  active(): boolean;
  /**
   * Bumped when the process a check may be about goes away (its exit, a restart): a check that
   * began before says nothing about the process now running, and is dropped.
   */
  epoch: number;
}

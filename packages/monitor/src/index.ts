// Configuration: the server registry (mcpServers + health_check + recovery, env overrides)

// Time, backoff and check intervals
export type { Clock, TimerHandle } from '@selfheal/internal';
export { type CheckIntervalOptions, nextCheckDelay } from './checkInterval.js';
export { delay, monitorClock } from './clock.js';
export { HEALTH_ENV_OVERRIDES, healthEnvOverrides } from './config/envOverrides.js';
export { type EventEmissionSettings, resolveEventEmission } from './config/eventEmission.js';
export {
  createRegistry,
  type HealthSettings,
  type MonitoredServer,
  type ProbeKind,
  type RecoverySettings,
  type RegistryOptions,
  transportOf,
} from './config/registry.js';
export { sendControl } from './control/controlClient.js';
// Operator control: a Unix socket carrying reset / disable / enable / status
export {
  CONTROL_ACTIONS,
  type ControlAction,
  type ControlReply,
  type ControlRequest,
  checkControlRequest,
  operatorOf,
} from './control/controlProtocol.js';
export { type ControlServer, listenControl } from './control/controlServer.js';
// The decider: pure decisions over the projected state of one server
export {
  decideCheck,
  decideExit,
  decideRecovery,
  decideStable,
  decideTransitions,
  type EventDraft,
  exitReason,
  type RecoveryDecision,
} from './decider/decide.js';
export type { MonitorStore } from './decider/monitorStore.js';
export type { ServerView } from './decider/serverView.js';
// Errors
export { errorMessage, MonitorError, MonitorErrorCode } from './errors.js';
// The monitor: every server watched, healed, and controlled by an operator
export { createMonitor, type Monitor, type MonitorOptions } from './monitor/monitor.js';
export {
  createMonitorStore,
  type MonitorStoreOptions,
  type ProjectedMonitorStore,
} from './monitor/monitorStore.js';
export {
  createServerMonitor,
  type OperatorCaller,
  type ServerMonitor,
  type ServerMonitorOptions,
  type SessionListener,
} from './monitor/serverMonitor.js';
export { createHttpProbe, type HttpProbeOptions } from './probes/httpProbe.js';
export { createPingProbe, createToolsProbe, type McpProbeOptions } from './probes/mcpProbes.js';
// Probes: W3 /health, MCP ping, the tools/list deep check
export type { Probe, ProbeResult } from './probes/probeResult.js';
export {
  createRecoverySchedule,
  type RecoverySchedule,
  type RecoveryScheduleOptions,
} from './recoverySchedule.js';
// MCP sessions over a supervised process or HTTP
export {
  isSessionExpired,
  openSession,
  type SessionOptions,
  type SessionProfile,
} from './session/mcpSession.js';
export { createStreamTransport } from './session/streamTransport.js';
export { createSlottedClock, type SlottedClockOptions } from './slottedClock.js';
export { maskEnvSecrets } from './supervisor/maskEnvSecrets.js';
export {
  createNodeSpawner,
  describeExit,
  isPermanentExit,
  type NodeSpawnerOptions,
} from './supervisor/nodeSpawner.js';
export {
  createProcessReaper,
  type ProcessReaper,
  type ProcessReaperOptions,
  sharedProcessReaper,
} from './supervisor/processReaper.js';
export {
  createProcessSupervisor,
  type ExitListener,
  type ProcessSupervisor,
  type ProcessSupervisorOptions,
} from './supervisor/processSupervisor.js';
export {
  type RecoveryCommandOptions,
  type RecoveryCommandResult,
  runRecoveryCommand,
} from './supervisor/recoveryCommand.js';
// Process supervision
export type { ExitInfo, SpawnedProcess, Spawner, SpawnSpec } from './supervisor/spawner.js';
export {
  createStderrTail,
  type StderrTail,
  type StderrTailOptions,
} from './supervisor/stderrTail.js';

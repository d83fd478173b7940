// The browser-safe part of the package (no node: modules, no schema files): what the dashboard
// bundles to fold events exactly as `selfheal replay` does.

// The envelope's timestamp parser (the replay's, so `until` compares the same instants)
export { parseTimestamp } from './model/envelope.js';
// Ecosystem roll-up
export { rollUpEcosystem } from './replay/ecosystemHealth.js';
// The replay's health fold: projection, SLA and incidents
export {
  createHealthFold,
  type HealthFold,
  type HealthFoldOptions,
  type HealthFoldResult,
} from './replay/healthFold.js';
export {
  createHealthProjector,
  type HealthProjector,
  type HealthState,
  initialHealthState,
  PROJECTED_EVENT_TYPES,
  project,
  projectAll,
  type ServingReplicas,
} from './replay/projection.js';
export {
  initialServerHealth,
  projectServer,
  type ServerHealth,
  type ServerLifecycle,
  type ServerStatus,
} from './replay/serverHealth.js';
export {
  AUTO_RECOVERY_WINDOW_MS,
  createSlaTracker,
  type ServerSla,
  type SlaIncident,
  type SlaTracker,
} from './replay/slaReport.js';

// Time
export { type Clock, systemClock } from '@selfheal/internal';
// The event bus and its sinks
export {
  createEventBus,
  type EventBus,
  type EventBusOptions,
  type EventSink,
  type SinkAttachment,
} from './bus/eventBus.js';
export { createFileSink, type FileSinkOptions } from './bus/fileSink.js';
// Errors
export { EventsError, EventsErrorCode } from './errors.js';
// The JSONL log: writing
export {
  createEventLog,
  type Durability,
  type EventLog,
  type EventLogOptions,
} from './log/eventLog.js';
export {
  createLineLocator,
  type LineLocator,
  type LineRecords,
  lineRecords,
  RECORD_INTS,
} from './log/lineLocator.js';
export {
  createFoldBuilder,
  createLineScanner,
  type FoldBuilder,
  type FoldEvent,
  type LineScanner,
} from './log/lineScanner.js';
export { DEFAULT_LOG_PATH, eventLogOptionsFromConfig } from './log/logConfig.js';
export { EVENT_EMISSION_DEFAULTS } from './log/logDefaults.js';
export { type LogFileHandle, type LogFileSystem, nodeLogFileSystem } from './log/logFileSystem.js';
// The JSONL log: reading
export {
  type LogEntry,
  type LogLineIssue,
  type LogReadSummary,
  type ReadLogOptions,
  readLog,
  scanLog,
} from './log/logReader.js';
export { type LogRecovery, recoverLog } from './log/logRecovery.js';
export { listLogFiles, listSegments, segmentPath } from './log/logSegments.js';
export { type PackedStrings, packedStrings } from './log/slotValues.js';
// Event constructors and ids
export {
  type BuiltEvent,
  createEventFactory,
  type EventBody,
  type EventFactory,
  type EventFactoryOptions,
  type EventInput,
} from './model/createEvent.js';
// The envelope fast path
export { checkEnvelope, envelopeTime, hasEventEnvelope, parseTimestamp } from './model/envelope.js';
export type { EventConstructor, EventConstructors } from './model/eventConstructors.generated.js';
export {
  createEventIdGenerator,
  createPooledRandom,
  type EventIdOptions,
  isEventId,
} from './model/eventId.js';
// Event types
export {
  DEPRECATED_EVENT_TYPES,
  type EventFieldsByType,
  type EventOf,
  isKnownEventType,
  KNOWN_EVENT_TYPES,
  type KnownEventType,
  type SelfhealEvent,
  type StoredEvent,
  schemaEventTypes,
} from './model/eventTypes.js';
// Ecosystem roll-up (GET /health/ecosystem)
export { rollUpEcosystem } from './replay/ecosystemHealth.js';
// Replay: state, SLA report and timeline summary of one or more logs
export {
  createHealthFold,
  type HealthFold,
  type HealthFoldOptions,
  type HealthFoldResult,
} from './replay/healthFold.js';
// The projection: per-server health as a fold of events
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
  type ReplayFile,
  type ReplayOptions,
  type ReplayReport,
  type ReplaySourceItem,
  replayEvents,
  replayLogs,
} from './replay/replay.js';
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
export {
  createTimelineSummarizer,
  NO_REPO,
  type TimelineSummarizer,
  type TimelineSummary,
} from './replay/timelineSummary.js';
// Trust, quarantine and tool pins as a fold of events (RFC 0017)
export {
  initialTrustState,
  isToolQuarantined,
  projectServerTrust,
  projectTrust,
  projectTrustAll,
  type ServerTrust,
  type ToolPinState,
  TRUST_EVENT_TYPES,
  type TrustState,
  type TrustView,
  trustView,
} from './replay/trustProjection.js';

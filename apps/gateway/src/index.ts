// Alerts (RFC 0015): the settings a config resolves to, the service, the webhook signature

// Names, time and errors
export { type Clock, systemClock } from '@selfheal/internal';
export type { AlertRule, AlertSettings, Severity, SinkSpec } from './alerts/alertConfig.js';
export { type AlertService, type AlertServiceOptions, startAlerts } from './alerts/alertService.js';
export {
  SIGNATURE_HEADER,
  signWebhook,
  TIMESTAMP_HEADER,
  verifyWebhook,
} from './alerts/signature.js';
// The CLI entry point
export { main } from './cli.js';
// Config
export { demoConfig } from './config/demoConfig.js';
export {
  type GatewaySettings,
  type LoadedConfig,
  loadConfigFile,
  resolveConfig,
  type UpstreamSpec,
  type UpstreamTransportKind,
} from './config/loadConfig.js';
// The embedded demo of `selfheal start` without a config
export {
  type DemoSpawner,
  type EmbeddedDemo,
  type EmbeddedDemoOptions,
  findExamplesDir,
  startEmbeddedDemo,
} from './demo/embeddedDemo.js';
export { GatewayError, GatewayErrorCode, WireErrorCode } from './errors.js';
// The gateway: upstreams, catalogs and client sessions
export {
  createGateway,
  type Gateway,
  type GatewayEvents,
  type GatewayOptions,
} from './gateway.js';
// The dashboard's routes (RFC 0016), for embedding the page beside another server (the bench)
export {
  createDashboard,
  type Dashboard,
  type DashboardEvents,
  type DashboardOptions,
  readEventFiles,
} from './http/dashboard.js';
export { createGatewayHealth, upstreamsCheck } from './http/gatewayHealth.js';
export {
  createHealthStream,
  type EventSource,
  type HealthStream,
  type HealthStreamOptions,
  SLOW_CLIENT_CLOSE_CODE,
  type StreamEvent,
} from './http/healthStream.js';
// Serving it: Streamable HTTP (+ /health, /metrics) and stdio
export {
  createHttpServer,
  type GatewayHttpServer,
  type HttpServerOptions,
} from './http/httpServer.js';
export {
  type NodeStreamableHttpOptions,
  NodeStreamableHttpTransport,
} from './http/nodeStreamableHttp.js';
export { createBearerCheck, createOriginPolicy, loadTokens } from './http/security.js';
export { type CliIO, ExitCode, processIO } from './io.js';
export {
  candidatesFor,
  createToolFilter,
  exposeName,
  isShortened,
  MAX_EXPOSED_NAME,
  resolveCollisions,
} from './naming.js';
// Observability from the event bus: metrics, call log, log sampling, spans
export {
  CALL_LOG_FIELDS,
  type CallLogLevel,
  type CallLogOptions,
  createCallLog,
  formatCallLine,
} from './observability/callLog.js';
export { type CallSpansOptions, createCallSpans } from './observability/callSpans.js';
export { type CallSummaryOptions, createCallSummarySink } from './observability/callSummary.js';
export {
  CIRCUIT_STATE_VALUE,
  createGatewayMetrics,
  type GatewayMetrics,
  type GatewayMetricsOptions,
} from './observability/gatewayMetrics.js';
export { createLabelCap, OTHER_LABEL } from './observability/labelCap.js';
export {
  createGatewaySession,
  GATEWAY_CAPABILITIES,
  type GatewaySession,
  type GatewaySessionOptions,
} from './session/gatewaySession.js';
export { serveStdio } from './stdioServer.js';
// Upstreams
export type { Catalog, RawItem } from './upstream/catalog.js';
export {
  type NodeStreamableHttpClientOptions,
  NodeStreamableHttpClientTransport,
  StreamableHttpStatusError,
} from './upstream/nodeStreamableHttpClient.js';
export {
  createProcessTransport,
  type ProcessTransportOptions,
} from './upstream/processTransport.js';
export { createSseParser, type SseEvent } from './upstream/sseParser.js';
export {
  createTransportFactory,
  defaultTransportFactory,
  type TransportFactory,
  type TransportFactoryOptions,
  type UpstreamTransport,
} from './upstream/transportFactory.js';
export {
  createUpstreamServer,
  type SessionSource,
  type UpstreamServer,
  type UpstreamServerOptions,
  type UpstreamState,
} from './upstream/upstreamServer.js';

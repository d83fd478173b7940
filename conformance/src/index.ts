// The "conformance everything" server: factory, HTTP and stdio hosts
export {
  type ConformanceServerOptions,
  createConformanceServerFactory,
} from './conformanceServer.js';
export type { ChangedList } from './featureContext.js';
export {
  type ConformanceHttpServer,
  type ConformanceHttpServerOptions,
  startConformanceHttpServer,
} from './httpServer.js';
export { serveConformanceStdio } from './stdioServer.js';

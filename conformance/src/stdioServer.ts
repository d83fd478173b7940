import { serveStdio } from '@modelcontextprotocol/server/stdio';
import {
  type ConformanceServerOptions,
  createConformanceServerFactory,
} from './conformanceServer.js';

/**
 * Serves the conformance server on this process's stdin and stdout, for both revisions: the
 * first message pins the connection's era (`initialize` for 2025-11-25, a request with the
 * 2026-07-28 `_meta` envelope for the stateless revision). Returns a function that closes it.
 */
export function serveConformanceStdio(options: ConformanceServerOptions = {}): () => Promise<void> {
  const handle = serveStdio(createConformanceServerFactory(options));
  return () => handle.close();
}

#!/usr/bin/env node
// A working MCP server whose /health (on HEALTH_PORT, default 0: any, printed) breaks the W3
// contract: an unknown status and no uptime_seconds. The monitor counts it as a failed check.
import { envNumber, serveHealth, startDemoServer } from './demoServer.js';

await startDemoServer({ name: 'invalid-health' });
serveHealth(envNumber('HEALTH_PORT', 0), () =>
  JSON.stringify({ status: 'fine', timestamp: new Date().toISOString() }),
);

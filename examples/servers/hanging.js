#!/usr/bin/env node
// Answers MCP normally for HANG_AFTER_MS (default 5000), then stays alive but never answers
// again: pings time out. Only a kill helps (the monitor restarts it).
import { envNumber, startDemoServer } from './demoServer.js';

const hangAt = Date.now() + envNumber('HANG_AFTER_MS', 5000);
await startDemoServer({ name: 'hanging', drop: () => Date.now() >= hangAt });
setInterval(() => {}, 60_000);

#!/usr/bin/env node
// Alternates every FLAP_MS (default 10000) between up (answers, /health ok) and down (drops
// MCP requests, /health says down). /health on HEALTH_PORT (default 0: any, printed).
import { envNumber, serveHealth, startDemoServer } from './demoServer.js';

const flapMs = envNumber('FLAP_MS', 10_000);
const started = Date.now();
const down = () => Math.floor((Date.now() - started) / flapMs) % 2 === 1;
await startDemoServer({ name: 'flapping', drop: down });
serveHealth(envNumber('HEALTH_PORT', 0), () =>
  down() ? { status: 'down', error: 'flapping: in a down phase' } : { status: 'ok' },
);

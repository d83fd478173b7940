// The healthy example server, as a library (tests) — the command is healthyServer.ts
export {
  type HealthyServer,
  type HealthyServerOptions,
  startHealthyServer,
} from './createHealthyServer.js';
export { createHealthSwitch, type HealthSwitch } from './healthState.js';

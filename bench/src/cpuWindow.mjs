// Shared by the CPU-cost runs (monitorCpuRun.mjs, probeCpuRun.mjs): the /health farm they
// probe, and the measured window (warm-up, then process CPU time over a fixed wall time).
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { fileURLToPath } from 'node:url';

/**
 * Starts `count` W3 /health endpoints in a child process (healthFarm.mjs), so their CPU is not
 * counted in this one. Resolves to their ports and a stop function.
 */
export async function startHealthFarm(count) {
  const farm = spawn(
    process.execPath,
    [fileURLToPath(new URL('./healthFarm.mjs', import.meta.url)), String(count)],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const ports = await new Promise((resolve) =>
    farm.stdout.once('data', (c) => resolve(JSON.parse(c.toString()))),
  );
  return { ports, stop: () => farm.stdin.end() };
}

/**
 * Waits `warmupSeconds` (the JIT settles), then measures this process's CPU time
 * (user + system, µs) over `seconds` of wall time. `onStart` runs when the window opens (read
 * counters there). With `profileFile`, a V8 CPU profile of the window is written to it.
 */
export async function measureCpuWindow({ warmupSeconds, seconds, profileFile, onStart }) {
  await new Promise((r) => setTimeout(r, warmupSeconds * 1000));
  const inspector = profileFile ? new Session() : undefined;
  const post = (method, params) =>
    new Promise((resolve, reject) =>
      inspector.post(method, params, (error, result) => (error ? reject(error) : resolve(result))),
    );
  if (inspector) {
    inspector.connect();
    await post('Profiler.enable');
    await post('Profiler.start');
  }
  onStart?.();
  const cpuBefore = process.cpuUsage();
  const wallBefore = process.hrtime.bigint();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const cpu = process.cpuUsage(cpuBefore);
  const wallMs = Number(process.hrtime.bigint() - wallBefore) / 1e6;
  if (inspector) {
    const { profile } = await post('Profiler.stop');
    writeFileSync(profileFile, JSON.stringify(profile));
    inspector.disconnect();
  }
  return { cpu, wallMs };
}

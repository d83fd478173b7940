import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Vitest global setup: every temporary file of a test run (the tests' own `mkdtemp` folders,
 * event logs, the files of the MCP servers they start) goes under one fresh folder, removed
 * when the run ends. Set through TMPDIR before any worker starts, so workers and the child
 * processes they spawn inherit it; `os.tmpdir()` reads it on every call.
 */
export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'selfheal-test-run-'));
  const previous = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    rmSync(dir, { recursive: true, force: true });
  };
}

import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/**
 * The Chromium the browser tests drive: `SELFHEAL_CHROMIUM`, else Debian's `/usr/bin/chromium`
 * (`.ci/run` installs it); undefined when neither exists.
 */
export const CHROMIUM_PATH = [process.env.SELFHEAL_CHROMIUM, '/usr/bin/chromium'].find(
  (path): path is string => path !== undefined && path !== '' && existsSync(path),
);

/**
 * Why the browser tests are skipped here, or undefined when they run. Under CI (`CI=true`,
 * as `.ci/run` sets) they never skip: a missing browser fails them.
 */
export const NO_CHROMIUM =
  CHROMIUM_PATH === undefined && process.env.CI !== 'true'
    ? 'no Chromium at $SELFHEAL_CHROMIUM or /usr/bin/chromium (apt-get install chromium): browser tests skipped'
    : undefined;
if (NO_CHROMIUM !== undefined) process.stderr.write(`selfheal: ${NO_CHROMIUM}\n`);

/** Launches headless Chromium; close it in afterAll. */
export function launchChromium(): Promise<Browser> {
  if (CHROMIUM_PATH === undefined)
    throw new Error(
      "no Chromium at $SELFHEAL_CHROMIUM or /usr/bin/chromium: .ci/run installs Debian's chromium",
    );
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    // Root in CI has no user namespace sandbox; /dev/shm is small in containers.
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  });
}

import { createHash } from 'node:crypto';
import { type FSWatcher, watch } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { type Clock, systemClock } from '@selfheal/internal';
import { loadConfigFile } from '../config/loadConfig.js';
import type { Gateway, ReloadOutcome } from '../gateway.js';
import { withOverrides } from './gatewayCommon.js';

/** Options of {@link watchConfig}. */
export interface ConfigReloaderOptions {
  gateway: Gateway;
  /** The config file the gateway was started with. */
  file: string;
  /** `--port` / `--host`, applied to every new config as to the first. */
  overrides?: { port?: number; host?: string };
  /** Progress lines (one per reload). */
  stdout: (text: string) => void;
  /** Why a new config was refused. */
  stderr: (text: string) => void;
  /** Quiet time after the last change of the file before it is read (editors write in steps). @default 150 */
  settleMs?: number;
  /** Watch the file. @default true */
  watchFile?: boolean;
  /** Reload on SIGHUP. @default true */
  onSighup?: boolean;
  /** @default systemClock */
  clock?: Clock;
}

/** A running {@link watchConfig}. */
export interface ConfigReloader {
  /** Reads the file and reloads now (what SIGHUP does). Never rejects: a refusal is reported. */
  reload(trigger: 'file' | 'signal' | 'request'): Promise<ReloadOutcome | undefined>;
  /** Stops watching and listening for SIGHUP. Idempotent. */
  close(): void;
}

/**
 * Reloads the gateway's config when its file changes and on SIGHUP (RFC 0019). The folder is
 * watched, not the file, so an editor that saves by renaming a new file over the old one is
 * seen too; a save that leaves the bytes as they were is no reload. A new config that cannot
 * be read or is invalid is refused: the gateway keeps the one it has, the error (each problem
 * with its JSON pointer) goes to stderr and into a `config_reload_failed` event.
 */
export function watchConfig(options: ConfigReloaderOptions): ConfigReloader {
  const { gateway, stdout, stderr } = options;
  const file = resolve(options.file);
  const clock = options.clock ?? systemClock;
  const settleMs = options.settleMs ?? 150;
  let lastDigest: string | undefined;
  let timer: ReturnType<Clock['setTimeout']> | undefined;
  let closed = false;
  void digestOf(file).then((digest) => {
    lastDigest ??= digest;
  });

  const reload = async (trigger: 'file' | 'signal' | 'request') => {
    if (closed) return undefined;
    let digest: string | undefined;
    try {
      digest = await digestOf(file);
      if (trigger === 'file' && digest === lastDigest) return undefined;
      const next = withOverrides(await loadConfigFile(file), options.overrides ?? {});
      lastDigest = digest;
      if (closed) return undefined;
      const outcome = await gateway.reload(next, trigger);
      stdout(`${describeReload(file, outcome)}\n`);
      return outcome;
    } catch (error) {
      // The same bad bytes are reported once, not on every event of the same save.
      if (digest !== undefined) lastDigest = digest;
      const message = (error as Error).message;
      stderr(
        `selfheal: config reload refused, still running on the previous config: ${message}\nFix the file and save it again (or send SIGHUP).\n`,
      );
      try {
        gateway.bus.publish(
          gateway.events.configReloadFailed({
            source: file,
            trigger,
            error: message,
          }),
        );
      } catch {
        // A gateway stopping meanwhile has closed its bus; the refusal is on stderr anyway.
      }
      return undefined;
    }
  };

  let watcher: FSWatcher | undefined;
  if (options.watchFile ?? true) {
    const name = basename(file);
    watcher = watch(dirname(file), (_event, changed) => {
      if (changed !== null && changed !== name) return;
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = clock.setTimeout(() => {
        timer = undefined;
        void reload('file');
      }, settleMs);
    });
    // A folder that disappears ends the watch; SIGHUP still works.
    watcher.on('error', () => watcher?.close());
  }
  const onSighup = () => void reload('signal');
  if (options.onSighup ?? true) process.on('SIGHUP', onSighup);

  return {
    reload,
    close() {
      if (closed) return;
      closed = true;
      watcher?.close();
      if (timer !== undefined) clock.clearTimeout(timer);
      process.off('SIGHUP', onSighup);
    },
  };
}

/** One line saying what a reload did. */
export function describeReload(file: string, outcome: ReloadOutcome): string {
  const parts = [
    outcome.added.length > 0 && `added ${outcome.added.join(', ')}`,
    outcome.removed.length > 0 && `removed ${outcome.removed.join(', ')}`,
    outcome.changed.length > 0 && `restarted ${outcome.changed.join(', ')}`,
  ].filter(Boolean);
  const kept = `${outcome.unchanged.length} server${outcome.unchanged.length === 1 ? '' : 's'} untouched`;
  const later =
    outcome.restartRequired.length > 0
      ? `; ${outcome.restartRequired.join(', ')} changed but take effect only after a restart`
      : '';
  return `config reloaded from ${file}: ${parts.length > 0 ? `${parts.join('; ')}; ` : ''}${kept}${later}`;
}

async function digestOf(file: string): Promise<string | undefined> {
  try {
    return createHash('sha256')
      .update(await readFile(file))
      .digest('hex');
  } catch {
    return undefined;
  }
}

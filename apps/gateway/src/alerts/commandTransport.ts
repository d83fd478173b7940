import { spawn as nodeSpawn } from 'node:child_process';
import type { SinkSpec } from './alertConfig.js';
import type { AlertTransport, DeliveryResult, Notice } from './notice.js';
import { webhookBody } from './payloads.js';

/** Starts a shell command; `node:child_process`'s `spawn` by default. */
export type CommandSpawn = typeof nodeSpawn;

/**
 * A command sink: `sh -c <command>` per attempt, with the webhook's JSON body on stdin and
 * SELFHEAL_ALERT_ACTION, _ID, _RULE, _SEVERITY, _SUMMARY and SELFHEAL_SERVER in its
 * environment. Exit code 0 is delivered; any other code, a signal or the timeout (SIGKILL) is
 * tried again.
 */
export function createCommandTransport(
  spec: SinkSpec,
  options: { spawn?: CommandSpawn; cwd?: string } = {},
): AlertTransport {
  const spawn = options.spawn ?? nodeSpawn;
  return {
    send(notice: Notice, signal: AbortSignal): Promise<DeliveryResult> {
      return new Promise((resolve) => {
        const child = spawn(spec.command!, {
          shell: true,
          cwd: options.cwd,
          stdio: ['pipe', 'ignore', 'pipe'],
          env: {
            ...process.env,
            SELFHEAL_ALERT_ACTION: notice.action,
            SELFHEAL_ALERT_ID: notice.alertId,
            SELFHEAL_ALERT_RULE: notice.rule,
            SELFHEAL_ALERT_SEVERITY: notice.severity,
            SELFHEAL_ALERT_SUMMARY: notice.summary,
            SELFHEAL_SERVER: notice.server ?? '',
          },
        });
        let stderr = '';
        child.stderr?.on('data', (chunk) => {
          if (stderr.length < 500) stderr += chunk;
        });
        const abort = () => child.kill('SIGKILL');
        signal.addEventListener('abort', abort, { once: true });
        child.once('error', (error) => {
          signal.removeEventListener('abort', abort);
          resolve({ ok: false, error: `${spec.command}: ${error.message}` });
        });
        child.once('close', (code, killed) => {
          signal.removeEventListener('abort', abort);
          if (code === 0) return resolve({ ok: true, status: 0, body: stderr.trim() });
          const why = signal.aborted
            ? `no exit within ${spec.timeoutMs} ms (killed)`
            : code === null
              ? `ended by ${killed}`
              : `exit code ${code}`;
          resolve({
            ok: false,
            ...(code !== null ? { status: code } : {}),
            error: `${spec.command}: ${why}${stderr.trim() ? `: ${stderr.trim().slice(0, 200)}` : ''}`,
          });
        });
        // A command that does not read its stdin must not fail the delivery (EPIPE).
        child.stdin?.on('error', () => {});
        child.stdin?.end(JSON.stringify(webhookBody(notice)));
      });
    },
  };
}

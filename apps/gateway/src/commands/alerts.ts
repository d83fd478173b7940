import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { systemClock } from '@selfheal/internal';
import { createTransports } from '../alerts/alertService.js';
import type { Notice } from '../alerts/notice.js';
import { loadConfigFile } from '../config/loadConfig.js';
import { type CliIO, ExitCode, parseCommand } from '../io.js';

export const alertsUsage = `usage: selfheal alerts test --config FILE [--sink NAME]

Sends a test alert to every sink of the config's alerts section (or to one, --sink NAME) and
prints each answer: the HTTP status and the start of the body, or the command's exit code.
A PagerDuty sink gets a trigger and then its resolve, so no incident stays open. Nothing is
written to the event log. Exit: 0 every sink took it, 1 one did not, 2 bad usage or config.
`;

/** `selfheal alerts test`: exit 0 every sink took the test alert, 1 one did not, 2 bad usage. */
export async function runAlerts(argv: string[], io: CliIO): Promise<number> {
  const parsed = parseCommand('alerts', alertsUsage, argv, io, parse);
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  if (positionals[0] !== 'test' || positionals.length > 1 || !values.config) {
    io.stderr(`selfheal alerts: expected \`test --config FILE\`\n\n${alertsUsage}`);
    return ExitCode.Unusable;
  }
  let config: Awaited<ReturnType<typeof loadConfigFile>>;
  try {
    config = await loadConfigFile(values.config);
  } catch (error) {
    io.stderr(`selfheal alerts: ${(error as Error).message}\n`);
    return ExitCode.Unusable;
  }
  const settings = config.alerts;
  if (!settings || settings.sinks.size === 0) {
    io.stderr(
      `selfheal alerts: ${values.config} has no sinks under alerts.sinks (or alerts.enabled is false)\n`,
    );
    return ExitCode.Unusable;
  }
  const names = values.sink ? [values.sink] : [...settings.sinks.keys()];
  for (const name of names) {
    if (!settings.sinks.has(name)) {
      io.stderr(
        `selfheal alerts: no sink "${name}" under alerts.sinks of ${values.config} (known: ${[...settings.sinks.keys()].join(', ')})\n`,
      );
      return ExitCode.Unusable;
    }
  }
  const transports = createTransports(settings, { now: systemClock.now, cwd: config.baseDir });
  const now = new Date(systemClock.now()).toISOString();
  const alertId = `selfheal-test/${hostname()}/${systemClock.now().toString(36)}`;
  const notice: Notice = {
    action: 'trigger',
    alertId,
    noticeId: `${alertId}/trigger`,
    rule: 'test',
    ruleType: 'test',
    severity: 'info',
    summary: `Selfheal test alert from ${hostname()} (selfheal alerts test): no action needed`,
    firedSummary: 'Selfheal test alert',
    server: undefined,
    firedAt: now,
    at: now,
    details: { test: true },
    test: true,
  };
  let failed = 0;
  for (const name of names) {
    const spec = settings.sinks.get(name)!;
    const actions: Notice[] = [notice];
    if (spec.type === 'pagerduty') {
      actions.push({
        ...notice,
        action: 'resolve',
        noticeId: `${alertId}/resolve`,
        summary: 'Selfheal test alert resolved',
      });
    }
    for (const sent of actions) {
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), spec.timeoutMs);
      const started = performance.now();
      const result = await transports.get(name)!.send(sent, controller.signal);
      clearTimeout(timer);
      const ms = Math.round(performance.now() - started);
      const what = `${name} (${spec.type}${spec.type === 'pagerduty' ? ` ${sent.action}` : ''})`;
      const answer = [
        result.status !== undefined
          ? spec.type === 'command'
            ? `exit ${result.status}`
            : `HTTP ${result.status}`
          : undefined,
        result.body ? result.body.slice(0, 200).replace(/\s+/g, ' ') : undefined,
      ]
        .filter(Boolean)
        .join(' ');
      if (result.ok) io.stdout(`${what}: delivered in ${ms} ms: ${answer || 'ok'}\n`);
      else {
        failed++;
        io.stdout(`${what}: FAILED in ${ms} ms: ${result.error ?? answer}\n`);
      }
    }
  }
  return failed === 0 ? ExitCode.Ok : ExitCode.Invalid;
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: 'string', short: 'c' },
      sink: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
}

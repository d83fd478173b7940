import { parseArgs } from 'node:util';
import {
  type ComplianceFinding,
  type ComplianceReport,
  checkHealthEndpoint,
} from '@selfheal/health-endpoint/compliance';
import { type CliIO, ExitCode, parseCommand } from '../io.js';

export const checkUsage = `usage: selfheal check URL [--json | --github [--file PATH]] [--require-ok] [--timeout MS]

Checks that a health endpoint (e.g. http://127.0.0.1:8080/health) follows the W3 contract:
Content-Type application/health+json or application/json, a JSON body valid against the
health-check schema, a timestamp at most 60 s old, an overall status that follows its checks,
and an HTTP status that agrees with it (a "down" body with 200 is a warning).

Options:
  --json         one JSON report on stdout (url, reachable, conforms, httpStatus, contentType,
                 elapsedMs, violations[], warnings[], body); each finding has rule, severity,
                 pointer (JSON pointer into the body), message and fix
  --github       GitHub Actions annotations, one line per finding (::error file=PATH,title=
                 RULE at POINTER::message and fix; ::warning for warnings), then a summary line
  --file PATH    with --github: the file the annotations point at (the code that serves the
                 endpoint; default: none, shown on the run's summary)
  --require-ok   a conforming "degraded" or "down" answer fails too
  --timeout MS   give up after MS milliseconds (default 5000, the W3 budget)

Exit: 0 conforms, 1 does not conform, 2 unreachable, timed out or bad usage.
`;

/** `selfheal check`: exit 0 conforms, 1 does not, 2 unreachable, timed out or bad usage. */
export async function runCheck(argv: string[], io: CliIO): Promise<number> {
  const parsed = parseCommand('check', checkUsage, argv, io, parse);
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const usageError = validateArgs(positionals, values);
  if (usageError) {
    io.stderr(`selfheal check: ${usageError}\n\n${checkUsage}`);
    return ExitCode.Unusable;
  }
  const url = positionals[0]!;
  const report = await checkHealthEndpoint(url, {
    timeoutMs: values.timeout === undefined ? undefined : Number(values.timeout),
    requireOk: values['require-ok'],
  });

  if (values.json) io.stdout(`${JSON.stringify(report)}\n`);
  else if (values.github) io.stdout(formatGithub(report, values.file));
  else if (report.reachable) io.stdout(formatText(report));
  else io.stderr(`selfheal check: ${report.error}\n`);

  if (!report.reachable) return ExitCode.Unusable;
  return report.conforms ? ExitCode.Ok : ExitCode.Invalid;
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      github: { type: 'boolean', default: false },
      file: { type: 'string' },
      'require-ok': { type: 'boolean', default: false },
      timeout: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
}

function validateArgs(
  positionals: string[],
  values: ReturnType<typeof parse>['values'],
): string | undefined {
  if (positionals.length !== 1) return 'expected exactly one URL';
  let url: URL;
  try {
    url = new URL(positionals[0]!);
  } catch {
    return `"${positionals[0]}" is not a URL; expected e.g. http://127.0.0.1:8080/health`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `"${positionals[0]}": expected an http:// or https:// URL`;
  }
  if (values.json && values.github) return '--json and --github cannot be combined';
  if (values.file !== undefined && !values.github)
    return '--file goes with --github (the file the annotations point at)';
  if (values.timeout !== undefined) {
    const ms = Number(values.timeout);
    if (!Number.isInteger(ms) || ms <= 0) {
      return `--timeout: expected a whole number of milliseconds > 0, found "${values.timeout}"`;
    }
  }
  return undefined;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function formatText(report: Extract<ComplianceReport, { reachable: true }>): string {
  const status = (report.body as { status?: unknown } | undefined)?.status;
  const head = report.conforms
    ? `${report.url}: conforms (HTTP ${report.httpStatus}, status ${JSON.stringify(status)})`
    : `${report.url}: does not conform (${plural(report.violations.length, 'violation')})`;
  const tail = report.warnings.length > 0 ? `, ${plural(report.warnings.length, 'warning')}` : '';
  const lines = [...report.violations, ...report.warnings].map(
    (f) =>
      `  ${f.severity === 'error' ? 'error  ' : 'warning'} [${f.rule}] ${f.message}\n          fix: ${f.fix}`,
  );
  return `${head}${tail}\n${lines.map((l) => `${l}\n`).join('')}`;
}

/** GitHub Actions workflow commands: data escaped per the runner's rules. */
function annotation(finding: ComplianceFinding, file: string | undefined): string {
  const title = escapeProperty(
    `selfheal check: ${finding.rule} at ${finding.pointer || '(document)'}`,
  );
  const text = escapeData(`${finding.message}. Fix: ${finding.fix}`);
  return `::${finding.severity} ${fileProperty(file)}title=${title}::${text}\n`;
}

function fileProperty(file: string | undefined): string {
  return file === undefined || file === '' ? '' : `file=${escapeProperty(file)},`;
}

function formatGithub(report: ComplianceReport, file?: string): string {
  if (!report.reachable)
    return `::error ${fileProperty(file)}title=selfheal check::${escapeData(report.error)}\n`;
  const lines = [...report.violations, ...report.warnings]
    .map((finding) => annotation(finding, file))
    .join('');
  const verdict = report.conforms ? 'conforms' : 'does not conform';
  return `${lines}selfheal check ${report.url}: ${verdict} (${plural(report.violations.length, 'violation')}, ${plural(report.warnings.length, 'warning')})\n`;
}

function escapeData(text: string): string {
  return text.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A');
}

function escapeProperty(text: string): string {
  return escapeData(text).replaceAll(':', '%3A').replaceAll(',', '%2C');
}

import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/runCli.js';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const example = (path: string) => join(repo, 'schemas/examples', path);

describe('selfheal validate', () => {
  it('exits 0 for a valid document', async () => {
    const r = await runCli(
      'validate',
      '--schema',
      'health-check',
      example('health-check/valid/full.json'),
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('valid health-check');
  });

  it('exits 1 and names pointer, expectation and value for an invalid one', async () => {
    const r = await runCli(
      'validate',
      '--schema',
      'config',
      example('config/invalid/bad-port.json'),
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('/gateway/port: expected a number <= 65535, found 70000');
  });

  it('reads YAML configs', async () => {
    const r = await runCli('validate', '--schema', 'config', example('config/valid/full.yaml'));
    expect(r).toMatchObject({ code: 0 });
  });

  it('validates every line of a JSONL log, counting the real W3 timeline valid', async () => {
    const fixture = join(repo, '../shared/fixtures/chora-w3-timeline.jsonl');
    const r = await runCli('validate', '--schema', 'event', fixture, '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ valid: true, issues: [] });
  });

  it('reports the line of a bad JSONL line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'selfheal-validate-'));
    const file = join(dir, 'log.jsonl');
    writeFileSync(
      file,
      [
        '{"event_type":"server_down","timestamp":"2026-11-21T10:00:00Z","trace_id":"t","server_name":"a"}',
        '{"event_type":"server_down","timestamp":"2026-11-21T10:00:00Z","trace_id":"t"}',
        '{"event_type":"server_do',
      ].join('\n'),
    );
    const r = await runCli('validate', '--schema', 'event', file, '--json');
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { issues: { line: number; pointer: string }[] };
    expect(out.issues.map((i) => [i.line, i.pointer])).toEqual([
      [2, '/server_name'],
      [3, ''],
    ]);
  });

  it('exits 2 for a missing file, unparseable text, an unknown schema or bad usage', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'selfheal-validate-'));
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{ "status": ');
    expect(
      (await runCli('validate', '--schema', 'config', join(dir, 'missing.json'))).stderr,
    ).toContain('no such file');
    const bad = await runCli('validate', '--schema', 'health-check', broken);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('not valid JSON');
    const unknown = await runCli('validate', '--schema', 'nope', broken);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(
      'expected one of health-check, ecosystem-health, event, config',
    );
    expect((await runCli('validate', broken)).code).toBe(2);
    expect((await runCli('validate', '--bogus')).code).toBe(2);
    expect((await runCli('frobnicate')).code).toBe(2);
  });

  it('works as the installed `selfheal` bin', () => {
    const bin = join(repo, 'apps/gateway/bin/selfheal.js');
    const r = spawnSync(
      process.execPath,
      [
        bin,
        'validate',
        '--schema',
        'health-check',
        example('health-check/invalid/missing-status.json'),
      ],
      {
        encoding: 'utf8',
      },
    );
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('/status: expected a value (required), found nothing');
  });
});

import { describe, expect, it } from 'vitest';
import { auditHealthResponse, type HealthHttpResponse } from './auditHealthResponse.js';

const NOW = Date.UTC(2026, 10, 21, 10, 0, 0);
const fresh = new Date(NOW - 1000).toISOString();
const good = { status: 'ok', timestamp: fresh, uptime_seconds: 12 };

function answer(body: unknown, over: Partial<HealthHttpResponse> = {}): HealthHttpResponse {
  return {
    httpStatus: 200,
    contentType: 'application/health+json; charset=utf-8',
    bodyText: typeof body === 'string' ? body : JSON.stringify(body),
    ...over,
  };
}
const audit = (r: HealthHttpResponse, requireOk = false) =>
  auditHealthResponse(r, { now: NOW, requireOk });
const rules = (findings: { rule: string; pointer: string }[]) =>
  findings.map((f) => [f.rule, f.pointer]);

describe('auditHealthResponse', () => {
  it('passes a minimal conforming answer, with application/json too', () => {
    expect(audit(answer(good))).toMatchObject({ conforms: true, violations: [], warnings: [] });
    expect(audit(answer(good, { contentType: 'application/json' })).conforms).toBe(true);
  });

  it('flags a missing field at its pointer with a fix that names the field', () => {
    const { conforms, violations } = audit(answer({ status: 'ok', timestamp: fresh }));
    expect(conforms).toBe(false);
    expect(rules(violations)).toEqual([['schema', '/uptime_seconds']]);
    expect(violations[0]!.fix).toContain('"uptime_seconds"');
  });

  it('flags a bad status value at /status and lists the allowed values in the fix', () => {
    const { violations } = audit(answer({ ...good, status: 'healthy' }));
    expect(rules(violations)).toEqual([['schema', '/status']]);
    expect(violations[0]!.fix).toBe('set /status to one of "ok", "degraded", "down"');
  });

  it('flags a timestamp older than 60 s, and only past 60 s', () => {
    const at = (ms: number) => answer({ ...good, timestamp: new Date(NOW - ms).toISOString() });
    expect(audit(at(60_000)).conforms).toBe(true);
    const stale = audit(at(60_001));
    expect(rules(stale.violations)).toEqual([['stale-timestamp', '/timestamp']]);
    expect(stale.violations[0]!.message).toContain('60 s');
  });

  it('warns (does not fail) for a timestamp more than 60 s in the future', () => {
    const r = audit(answer({ ...good, timestamp: new Date(NOW + 120_000).toISOString() }));
    expect(r.conforms).toBe(true);
    expect(rules(r.warnings)).toEqual([['future-timestamp', '/timestamp']]);
  });

  it('flags a wrong content type, keeping the body checks', () => {
    const r = audit(answer(good, { contentType: 'text/plain' }));
    expect(rules(r.violations)).toEqual([['content-type', '']]);
    expect(r.violations[0]!.message).toContain('"text/plain"');
    expect(rules(audit(answer(good, { contentType: undefined })).violations)).toEqual([
      ['content-type', ''],
    ]);
  });

  it('flags an HTML error page as not JSON and the wrong content type', () => {
    const r = audit(
      answer('<!DOCTYPE html><html><body>502 Bad Gateway</body></html>', {
        httpStatus: 502,
        contentType: 'text/html',
      }),
    );
    expect(rules(r.violations)).toEqual([
      ['content-type', ''],
      ['json', ''],
    ]);
    expect(r.violations[1]!.message).toContain('an HTML page (HTTP 502)');
  });

  it('flags a JSON value that is not an object at the document', () => {
    expect(rules(audit(answer('"ok"')).violations)).toEqual([['schema', '']]);
  });

  it('flags ok while a component is down, naming the expected status and the culprit', () => {
    const r = audit(answer({ ...good, checks: { db: 'down', cache: 'ok' } }));
    expect(rules(r.violations)).toEqual([['overall-status', '/status']]);
    expect(r.violations[0]!.message).toBe(
      '/status: expected "down" from /checks (db is down), found "ok"',
    );
  });

  it('flags degraded when every component is ok', () => {
    const r = audit(answer({ ...good, status: 'degraded', error: 'x', checks: { db: 'ok' } }));
    expect(rules(r.violations)).toEqual([['overall-status', '/status']]);
  });

  it('warns for down with HTTP 200 (W3 allows it) and accepts down with 503', () => {
    const down = { ...good, status: 'down', error: 'db: down' };
    const r200 = audit(answer(down));
    expect(r200.conforms).toBe(true);
    expect(rules(r200.warnings)).toEqual([['http-status', '/status']]);
    expect(audit(answer(down, { httpStatus: 503 }))).toMatchObject({
      conforms: true,
      warnings: [],
    });
  });

  it('flags ok or degraded answered with a non-2xx status, and down with a 4xx', () => {
    expect(rules(audit(answer(good, { httpStatus: 503 })).violations)).toEqual([
      ['http-status', '/status'],
    ]);
    const down = { ...good, status: 'down', error: 'e' };
    expect(rules(audit(answer(down, { httpStatus: 404 })).violations)).toEqual([
      ['http-status', '/status'],
    ]);
  });

  it('warns for a missing error on a failing answer and for an error that leaks', () => {
    const noError = audit(answer({ ...good, status: 'degraded' }));
    expect(rules(noError.warnings)).toEqual([['missing-error', '/error']]);
    const leak = audit(
      answer(
        { ...good, status: 'down', error: 'Error: x\n    at Object.<anonymous> (/srv/a.js:1:1)' },
        { httpStatus: 503 },
      ),
    );
    expect(rules(leak.warnings)).toEqual([['error-leak', '/error']]);
    const url = audit(
      answer({ ...good, status: 'down', error: 'postgres://u:p@h/db' }, { httpStatus: 503 }),
    );
    expect(rules(url.warnings)).toEqual([['error-leak', '/error']]);
  });

  it('with requireOk, flags a conforming degraded answer at /status', () => {
    const degraded = answer({ ...good, status: 'degraded', error: 'cache: degraded' });
    expect(audit(degraded).conforms).toBe(true);
    expect(rules(audit(degraded, true).violations)).toEqual([['require-ok', '/status']]);
    expect(audit(answer(good), true).conforms).toBe(true);
  });

  it('gives a rename suggestion for a bad component name', () => {
    const r = audit(answer({ ...good, checks: { 'Data-Base': 'ok' } }));
    expect(rules(r.violations)).toEqual([['schema', '/checks/Data-Base']]);
    expect(r.violations[0]!.fix).toContain('"data_base"');
  });
});

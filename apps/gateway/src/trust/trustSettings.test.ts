import { trustScoreDefaults } from '@selfheal/resilience';
import { loadSchema, type SelfhealConfig } from '@selfheal/schemas';
import { describe, expect, it } from 'vitest';
import { resolveTrustSettings } from './trustSettings.js';

/** The `default` of each key of the config schema's `trust` section. */
function schemaDefaults(): Record<string, unknown> {
  const schema = loadSchema('config') as {
    $defs: { Trust: { properties: Record<string, { default?: unknown }> } };
  };
  return Object.fromEntries(
    Object.entries(schema.$defs.Trust.properties).map(([key, p]) => [
      key,
      key === 'weights' ? weightDefaults(p as never) : p.default,
    ]),
  );
}

/** The `default` of each signal weight. */
function weightDefaults(weights: { properties: Record<string, { default?: unknown }> }) {
  return Object.fromEntries(Object.entries(weights.properties).map(([k, p]) => [k, p.default]));
}

describe('resolveTrustSettings', () => {
  it('applies the schema default of every trust key when the config says nothing', () => {
    const d = schemaDefaults();
    const s = resolveTrustSettings({ mcpServers: { a: { command: 'x' } } } as SelfhealConfig, 'a');
    expect(s).toMatchObject({
      enabled: d.enabled,
      step: d.step,
      latencyFactor: d.latency_factor,
      routingMargin: d.routing_margin,
      quarantineBelow: d.quarantine_below,
      quarantine: d.quarantine,
      probationChecks: d.probation_checks,
      onViolation: d.on_violation,
      pinTools: d.pin_tools,
    });
    expect(s.score.neutral).toBe(d.neutral);
    expect(s.score.priorWeight).toBe(d.prior_weight);
    expect(s.score.halfLifeMs).toBe((d.half_life_seconds as number) * 1000);
    expect(s.score.weights).toEqual(trustScoreDefaults.weights);
    expect(s.score.weights).toEqual(d.weights);
  });

  it("takes a server's on_violation over the global one", () => {
    const document = {
      mcpServers: { a: { command: 'x', trust: { on_violation: 'pass' } }, b: { command: 'x' } },
      trust: { on_violation: 'error' },
    } as SelfhealConfig;
    expect(resolveTrustSettings(document, 'a').onViolation).toBe('pass');
    expect(resolveTrustSettings(document, 'b').onViolation).toBe('error');
  });
});

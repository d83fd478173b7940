import { type SchemaNode, schemaDefaults } from '@selfheal/internal';
import { trustScoreDefaults } from '@selfheal/resilience';
import { loadSchema, type SelfhealConfig } from '@selfheal/schemas';
import { describe, expect, it } from 'vitest';
import { resolveTrustSettings } from './trustSettings.js';

/** The `default` of each key of the config schema's `trust` section. */
function trustSchemaDefaults(): Record<string, unknown> {
  return schemaDefaults((loadSchema('config').$defs as Record<string, SchemaNode>).Trust);
}

describe('resolveTrustSettings', () => {
  it('applies the schema default of every trust key when the config says nothing', () => {
    const d = trustSchemaDefaults();
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
    expect(s.score.weights).toEqual(d.weights);
    // The resilience library's own defaults (a library user's) are the schema's too.
    expect(s.score).toEqual(trustScoreDefaults);
  });

  it("takes a server's on_violation over the global one", () => {
    const document = {
      mcpServers: { a: { command: 'x', trust: { on_violation: 'pass' } }, b: { command: 'x' } },
      trust: { on_violation: 'error' },
    } as SelfhealConfig;
    expect(resolveTrustSettings(document, 'a').onViolation).toBe('pass');
    expect(resolveTrustSettings(document, 'b').onViolation).toBe('error');
  });
  it('merges weights and require_approval field by field: a server over the global section over the defaults', () => {
    const document = {
      mcpServers: {
        a: {
          command: 'x',
          trust: { weights: { slow_call: 2 }, require_approval: { new_tools: true } },
        },
      },
      trust: { weights: { call_failed: 3 }, require_approval: { new_servers: true }, step: 0.1 },
    } as SelfhealConfig;
    const s = resolveTrustSettings(document, 'a');
    expect(s.score.weights).toEqual({
      ...trustScoreDefaults.weights,
      call_failed: 3,
      slow_call: 2,
    });
    expect(s.requireApproval).toEqual({ newServers: true, newTools: true });
    expect(s.step).toBe(0.1);
    // The defaults read from the schema are not changed by a resolution.
    expect(
      resolveTrustSettings({ mcpServers: { b: { command: 'x' } } } as SelfhealConfig, 'b').score
        .weights,
    ).toEqual(trustScoreDefaults.weights);
  });
});

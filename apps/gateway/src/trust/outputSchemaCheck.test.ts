import { compileForeignSchema } from '@selfheal/schemas';
import { describe, expect, it } from 'vitest';
import { createOutputSchemaCheck } from './outputSchemaCheck.js';

const forecast = {
  name: 'forecast',
  inputSchema: { type: 'object' },
  outputSchema: {
    type: 'object',
    properties: { temperature: { type: 'number' } },
    required: ['temperature'],
  },
};
const H1 = `sha256:${'1'.repeat(64)}`;
const H2 = `sha256:${'2'.repeat(64)}`;

/** A check whose compiles are counted. */
function counted() {
  let compiles = 0;
  const warnings: string[] = [];
  const check = createOutputSchemaCheck({
    compile: (schema) => {
      compiles++;
      return compileForeignSchema(schema);
    },
    onUncompilable: (message) => warnings.push(message),
  });
  return { check, warnings, compiles: () => compiles };
}

describe('createOutputSchemaCheck', () => {
  it('names the first schema error by its pointer into structuredContent', () => {
    const { check } = counted();
    const result = { content: [], structuredContent: { temperature: 'warm' } };
    expect(check.violation(H1, forecast, result)).toBe(
      'structuredContent/temperature: expected a value of type number, found "warm"',
    );
    expect(check.violation(H1, forecast, { content: [], structuredContent: {} })).toBe(
      'structuredContent/temperature: expected a value (required), found nothing',
    );
    expect(
      check.violation(H1, forecast, { content: [], structuredContent: { temperature: 21 } }),
    ).toBeUndefined();
  });

  it('compiles once per definition hash, not per call', () => {
    const { check, compiles } = counted();
    for (let i = 0; i < 50; i++)
      check.violation(H1, forecast, { content: [], structuredContent: { temperature: i } });
    expect(compiles()).toBe(1);
    // Another definition (the pin changed) is compiled once more; the first stays cached.
    const changed = {
      ...forecast,
      outputSchema: { type: 'object', properties: { temperature: { type: 'string' } } },
    };
    expect(
      check.violation(H2, changed, { content: [], structuredContent: { temperature: 1 } }),
    ).toBe('structuredContent/temperature: expected a value of type string, found 1');
    check.violation(H1, forecast, { content: [], structuredContent: { temperature: 1 } });
    expect(compiles()).toBe(2);
    expect(check.size).toBe(2);
  });

  it('requires structuredContent unless the result is an error, as the MCP SDK client does', () => {
    const { check } = counted();
    expect(check.violation(H1, forecast, { content: [{ type: 'text', text: '21' }] })).toBe(
      'the result has no structuredContent, but the tool declares an outputSchema',
    );
    expect(check.violation(H1, forecast, { content: [], isError: true })).toBeUndefined();
    // Present on an error result, it is checked all the same (the SDK client rejects it too).
    expect(
      check.violation(H1, forecast, { isError: true, content: [], structuredContent: { t: 1 } }),
    ).toMatch(/^structuredContent\/temperature: expected a value \(required\)/);
  });

  it('leaves alone a tool without outputSchema and a result that asks for input', () => {
    const { check, compiles } = counted();
    const { outputSchema: _, ...plain } = forecast;
    expect(check.violation(H2, plain, { content: [] })).toBeUndefined();
    expect(
      check.violation(H1, forecast, { resultType: 'input_required', inputRequests: {} }),
    ).toBeUndefined();
    // The same through an SDK client that dropped resultType on a 2025-11-25 connection.
    expect(check.violation(H1, forecast, { inputRequests: {} })).toBeUndefined();
    expect(check.violation(H1, forecast, { requestState: 's' })).toBeUndefined();
    expect(compiles()).toBe(0);
  });

  it('warns once about an outputSchema that does not compile and checks nothing against it', () => {
    const { check, warnings } = counted();
    const broken = { ...forecast, outputSchema: { $ref: '#/$defs/nowhere' } };
    expect(check.violation(H1, broken, { content: [] })).toBeUndefined();
    expect(check.violation(H1, broken, { content: [] })).toBeUndefined();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      new RegExp(
        `^tool "forecast" \\(definition ${H1}\\) declares an outputSchema that does not compile \\(.*nowhere.*\\); its results are not checked against it$`,
      ),
    );
  });
});

import { describe, expect, it } from 'vitest';
import {
  decodeHeaderValue,
  encodeHeaderValue,
  paramHeaderMismatch,
  paramHeaderValues,
  scanParamHeaders,
} from './paramHeaders.js';

/** The example tool of the revision's text, with `region` mirrored into `Mcp-Param-Region`. */
const EXECUTE_SQL = {
  type: 'object',
  properties: {
    region: { type: 'string', 'x-mcp-header': 'Region' },
    query: { type: 'string' },
  },
  required: ['region', 'query'],
};

const object = (properties: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  type: 'object',
  properties,
  ...extra,
});

const reasonOf = (schema: unknown) => {
  const scan = scanParamHeaders(schema);
  return scan.valid ? undefined : scan.reason;
};

describe('encodeHeaderValue: the revision’s encoding table, verbatim', () => {
  it.each([
    ['us-west1', 'us-west1'],
    ['Hello, 世界', '=?base64?SGVsbG8sIOS4lueVjA==?='],
    [' padded ', '=?base64?IHBhZGRlZCA=?='],
    ['line1\nline2', '=?base64?bGluZTEKbGluZTI=?='],
    ['=?base64?literal?=', '=?base64?PT9iYXNlNjQ/bGl0ZXJhbD89?='],
  ])('%j -> %s, and back', (original, encoded) => {
    expect(encodeHeaderValue(original)).toBe(encoded);
    expect(decodeHeaderValue(encoded)).toEqual({ value: original });
  });

  it('encodes a tab, a lone trailing space and the empty string; keeps inner spaces', () => {
    expect(encodeHeaderValue('\tindented')).toBe('=?base64?CWluZGVudGVk?=');
    expect(encodeHeaderValue('x ')).toBe('=?base64?eCA=?=');
    expect(encodeHeaderValue('')).toBe('=?base64??=');
    expect(decodeHeaderValue('=?base64??=')).toEqual({ value: '' });
    expect(encodeHeaderValue('SELECT * FROM t')).toBe('SELECT * FROM t');
  });
});

describe('decodeHeaderValue', () => {
  it('drops white space around a value and takes a value without the markers literally', () => {
    expect(decodeHeaderValue('  us-west1 ')).toEqual({ value: 'us-west1' });
    expect(decodeHeaderValue('SGVsbG8=')).toEqual({ value: 'SGVsbG8=' });
    expect(decodeHeaderValue('=?BASE64?SGVsbG8=?=')).toEqual({ value: '=?BASE64?SGVsbG8=?=' });
  });

  it('refuses Base64 without its padding or with characters outside the alphabet, and non-UTF-8', () => {
    expect(decodeHeaderValue('=?base64?SGVsbG8?=')).toEqual({
      invalid: expect.stringContaining('malformed Base64'),
    });
    expect(decodeHeaderValue('=?base64?SGVs!!!bG8=?=')).toEqual({
      invalid: expect.stringContaining('malformed Base64'),
    });
    expect(decodeHeaderValue('=?base64?/w==?=')).toEqual({
      invalid: expect.stringContaining('not UTF-8'),
    });
  });

  it('refuses characters an HTTP field value may not hold (as Node hands obs-text over)', () => {
    expect(decodeHeaderValue('caf\u00e9')).toEqual({
      invalid: expect.stringContaining('characters an HTTP field value may not'),
    });
    // Only HTTP's white space (space, tab) surrounds a value; a no-break space is not dropped.
    expect(decodeHeaderValue('\u00a0abc')).toEqual({
      invalid: expect.stringContaining('characters an HTTP field value may not'),
    });
  });
});

describe('scanParamHeaders', () => {
  it('finds the example tool’s declaration, and nested ones through properties at any depth', () => {
    expect(scanParamHeaders(EXECUTE_SQL)).toEqual({
      valid: true,
      headers: [{ header: 'Mcp-Param-Region', path: ['region'], type: 'string' }],
    });
    const nested = object({
      target: object({
        zone: object({ id: { type: 'integer', 'x-mcp-header': 'Zone-Id' } }),
        dry: { type: 'boolean', 'x-mcp-header': 'Dry' },
      }),
    });
    expect(scanParamHeaders(nested)).toEqual({
      valid: true,
      headers: [
        { header: 'Mcp-Param-Zone-Id', path: ['target', 'zone', 'id'], type: 'integer' },
        { header: 'Mcp-Param-Dry', path: ['target', 'dry'], type: 'boolean' },
      ],
    });
    expect(scanParamHeaders({ type: 'object' })).toEqual({ valid: true, headers: [] });
    expect(scanParamHeaders(undefined)).toEqual({ valid: true, headers: [] });
  });

  it.each([
    ['an empty name', object({ a: { type: 'string', 'x-mcp-header': '' } }), 'non-empty string'],
    [
      'a name that is not a string',
      object({ a: { type: 'string', 'x-mcp-header': 7 } }),
      'non-empty string',
    ],
    [
      'a space',
      object({ a: { type: 'string', 'x-mcp-header': 'My Region' } }),
      'not an HTTP field-name token',
    ],
    [
      'a delimiter',
      object({ a: { type: 'string', 'x-mcp-header': 'Region:' } }),
      'not an HTTP field-name token',
    ],
    [
      'CR LF',
      object({ a: { type: 'string', 'x-mcp-header': 'A\r\nX-Injected' } }),
      'not an HTTP field-name token',
    ],
    [
      'a non-ASCII letter',
      object({ a: { type: 'string', 'x-mcp-header': 'Région' } }),
      'not an HTTP field-name token',
    ],
    [
      'the same name in another case',
      object({
        a: { type: 'string', 'x-mcp-header': 'Region' },
        b: { type: 'string', 'x-mcp-header': 'REGION' },
      }),
      'declared twice',
    ],
    ['type number', object({ a: { type: 'number', 'x-mcp-header': 'A' } }), 'got "number"'],
    ['type object', object({ a: { type: 'object', 'x-mcp-header': 'A' } }), 'got "object"'],
    ['type array', object({ a: { type: 'array', 'x-mcp-header': 'A' } }), 'got "array"'],
    ['no type', object({ a: { 'x-mcp-header': 'A' } }), 'got null'],
    [
      'a list of types',
      object({ a: { type: ['string', 'null'], 'x-mcp-header': 'A' } }),
      'got ["string","null"]',
    ],
    ['the root', { type: 'object', 'x-mcp-header': 'A' }, 'at /:'],
    [
      'items',
      object({
        list: { type: 'array', items: object({ a: { type: 'string', 'x-mcp-header': 'A' } }) },
      }),
      'at /properties/list/items/properties/a',
    ],
    [
      'the array form of items',
      object({
        pair: { type: 'array', items: [{ type: 'string', 'x-mcp-header': 'T' }] },
      }),
      'at /properties/pair/items/0',
    ],
    [
      'additionalItems',
      object({
        pair: {
          type: 'array',
          items: [{ type: 'string' }],
          additionalItems: { type: 'string', 'x-mcp-header': 'T' },
        },
      }),
      'at /properties/pair/additionalItems',
    ],
    [
      'anyOf',
      { anyOf: [object({ a: { type: 'string', 'x-mcp-header': 'A' } })] },
      'at /anyOf/0/properties/a',
    ],
    ['oneOf', object({}, { oneOf: [{ type: 'string', 'x-mcp-header': 'A' }] }), 'at /oneOf/0'],
    [
      'allOf',
      object({}, { allOf: [object({ a: { type: 'string', 'x-mcp-header': 'A' } })] }),
      'at /allOf/0/properties/a',
    ],
    [
      'not',
      object({}, { not: object({ a: { type: 'string', 'x-mcp-header': 'A' } }) }),
      'at /not/properties/a',
    ],
    [
      'if/then',
      // A schema, not a promise: `then` is the JSON Schema keyword here.
      // biome-ignore lint/suspicious/noThenProperty: the keyword under test
      object({}, { if: object({}), then: object({ a: { type: 'string', 'x-mcp-header': 'A' } }) }),
      'at /then/properties/a',
    ],
    [
      '$defs (what a $ref points at)',
      object(
        { a: { $ref: '#/$defs/A' } },
        { $defs: { A: { type: 'string', 'x-mcp-header': 'A' } } },
      ),
      'at /$defs/A',
    ],
    [
      'additionalProperties',
      object({}, { additionalProperties: { type: 'string', 'x-mcp-header': 'A' } }),
      'at /additionalProperties',
    ],
  ])('refuses %s', (_what, schema, reason) => {
    expect(reasonOf(schema)).toContain(reason);
  });
});

describe('scanParamHeaders, called per tools/call', () => {
  it('scans a schema object once and gives the same answer after', () => {
    const schema = object({ region: { type: 'string', 'x-mcp-header': 'Region' } });
    const first = scanParamHeaders(schema);
    expect(scanParamHeaders(schema)).toBe(first);
    // Another object (a tool list read again) is scanned anew.
    expect(scanParamHeaders(structuredClone(schema))).not.toBe(first);
    expect(scanParamHeaders(structuredClone(schema))).toEqual(first);
  });
});

describe('paramHeaderValues', () => {
  const declared = () => {
    const scan = scanParamHeaders(
      object({
        region: { type: 'string', 'x-mcp-header': 'Region' },
        priority: { type: 'integer', 'x-mcp-header': 'Priority' },
        verbose: { type: 'boolean', 'x-mcp-header': 'Verbose' },
        target: object({ zone: { type: 'string', 'x-mcp-header': 'Zone' } }),
      }),
    );
    if (!scan.valid) throw new Error(scan.reason);
    return scan.headers;
  };

  it('mirrors each value at its exact path: strings encoded, integers in decimal, booleans lowercase', () => {
    expect(
      paramHeaderValues(declared(), {
        region: 'Hello, 世界',
        priority: -7,
        verbose: false,
        target: { zone: 'eu' },
        zone: 'not this one',
      }),
    ).toEqual({
      headers: {
        'Mcp-Param-Region': '=?base64?SGVsbG8sIOS4lueVjA==?=',
        'Mcp-Param-Priority': '-7',
        'Mcp-Param-Verbose': 'false',
        'Mcp-Param-Zone': 'eu',
      },
    });
  });

  it('omits null, absent and structured values', () => {
    expect(
      paramHeaderValues(declared(), { region: null, verbose: { no: 1 }, target: 'flat' }),
    ).toEqual({ headers: {} });
  });

  it('refuses an integer outside the safe range, naming the argument', () => {
    expect(paramHeaderValues(declared(), { priority: 2 ** 53 })).toEqual({
      problem: expect.stringContaining('arguments.priority is 9007199254740992'),
    });
  });
});

describe('paramHeaderMismatch', () => {
  const declared = (() => {
    const scan = scanParamHeaders(
      object({
        region: { type: 'string', 'x-mcp-header': 'Region' },
        priority: { type: 'integer', 'x-mcp-header': 'Priority' },
        verbose: { type: 'boolean', 'x-mcp-header': 'Verbose' },
      }),
    );
    if (!scan.valid) throw new Error(scan.reason);
    return scan.headers;
  })();
  const check = (args: unknown, headers: Record<string, string>) => {
    const lower = new Map(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
    return paramHeaderMismatch(declared, args, (name) => lower.get(name.toLowerCase()));
  };

  it('accepts matching headers, decoded, any header-name case, integers compared as numbers', () => {
    expect(
      check(
        { region: 'Hello, 世界', priority: 42, verbose: true },
        {
          'mcp-param-region': '=?base64?SGVsbG8sIOS4lueVjA==?=',
          'MCP-PARAM-PRIORITY': '42.0',
          'Mcp-Param-Verbose': 'true',
        },
      ),
    ).toBeUndefined();
  });

  it('expects no header for a null or absent value, and ignores undeclared ones', () => {
    expect(check({ region: null }, { 'Mcp-Param-Other': 'x' })).toBeUndefined();
  });

  it('refuses a missing header when the body has the value, naming both', () => {
    expect(check({ region: 'us-west1' }, {})).toBe(
      'Header mismatch: Mcp-Param-Region is missing but the body\'s arguments.region is "us-west1"',
    );
  });

  it('refuses a header that says something else, with both values', () => {
    expect(check({ region: 'us-west1' }, { 'Mcp-Param-Region': 'eu-west1' })).toBe(
      'Header mismatch: Mcp-Param-Region is "eu-west1" but the body\'s arguments.region is "us-west1"',
    );
    expect(check({ priority: 42 }, { 'Mcp-Param-Priority': '42x' })).toContain(
      'Mcp-Param-Priority is "42x" but the body\'s arguments.priority is 42',
    );
    expect(check({ verbose: true }, { 'Mcp-Param-Verbose': 'TRUE' })).toContain('is "TRUE"');
  });

  it('says a non-integer body value is not an integer (not that it is out of range)', () => {
    expect(check({ priority: 1.5 }, { 'Mcp-Param-Priority': '1.5' })).toBe(
      "Header mismatch: Mcp-Param-Priority cannot be checked: the body's arguments.priority is 1.5, not an integer",
    );
  });

  it('refuses invalid characters and malformed Base64, even when the body has no value', () => {
    expect(check({}, { 'Mcp-Param-Region': 'caf\u00e9' })).toContain(
      'Mcp-Param-Region contains characters an HTTP field value may not',
    );
    expect(check({ region: 'Hello' }, { 'Mcp-Param-Region': '=?base64?SGVsbG8?=' })).toContain(
      'malformed Base64',
    );
  });
});

import { type SelfhealConfig, validate } from '@selfheal/schemas';

/**
 * Test helper: a config document checked against the `config` schema, or an error listing
 * every JSON pointer at fault. Programs load files through the gateway's config loader.
 */
export function parseConfig(document: unknown, file = 'test.json'): SelfhealConfig {
  const result = validate('config', document);
  if (result.valid) return result.value;
  throw new Error(`${file}: ${result.issues.map((issue) => issue.message).join('; ')}`);
}

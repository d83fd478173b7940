import {
  DocumentReadError,
  parseDocument,
  readText,
  type SelfhealConfig,
  validate,
} from '@selfheal/schemas';
import { MonitorError, MonitorErrorCode } from '../errors.js';
import { createRegistry, type MonitoredServer, type RegistryOptions } from './registry.js';

/** A config file read, validated and resolved into servers. */
export interface LoadedConfig {
  file: string;
  config: SelfhealConfig;
  servers: MonitoredServer[];
}

/**
 * Validates a parsed config document against the `config` schema.
 * @throws MonitorError CONFIG_INVALID whose message names `file` and every JSON pointer at
 * fault (`data.issues` holds them as {@link ValidationIssue}s).
 */
export function parseConfig(document: unknown, file: string): SelfhealConfig {
  const result = validate('config', document);
  if (result.valid) return result.value;
  const lines = result.issues.map((issue) => `  ${issue.message}`).join('\n');
  throw new MonitorError(
    MonitorErrorCode.ConfigInvalid,
    `${file}: ${result.issues.length} issue${result.issues.length === 1 ? '' : 's'} against the config schema\n${lines}`,
    { data: { file, issues: result.issues } },
  );
}

/**
 * Reads a JSON or YAML config file, validates it and resolves its servers (with the
 * `SELFHEAL_*` environment overrides from `options.env`).
 * @throws MonitorError CONFIG_UNREADABLE (missing, unparseable), CONFIG_INVALID (schema) or
 * ENV_INVALID (a bad override), each naming the file or variable.
 */
export async function loadConfig(
  file: string,
  options: Omit<RegistryOptions, 'file'> = {},
): Promise<LoadedConfig> {
  let document: unknown;
  try {
    document = parseDocument(await readText(file), file);
  } catch (error) {
    if (!(error instanceof DocumentReadError)) throw error;
    throw new MonitorError(MonitorErrorCode.ConfigUnreadable, error.message, { cause: error });
  }
  const config = parseConfig(document, file);
  return { file, config, servers: createRegistry(config, { ...options, file }) };
}

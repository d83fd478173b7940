import type { ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import ajvErrors from 'ajv-errors';
import ajvFormats from 'ajv-formats';
import { toIssues, type ValidationIssue } from './issues.js';
import { loadSchema, type SchemaName } from './schemaRegistry.js';
import type {
  EcosystemHealth,
  HealthCheckResponse,
  SelfhealConfig,
  SelfhealEvent,
} from './types.generated.js';

/** The result of {@link validate}: valid, or the issues that say why not. */
export type ValidationResult<T = unknown> =
  | { valid: true; value: T; issues: [] }
  | { valid: false; issues: ValidationIssue[] };

/** Document type for each schema name. */
export interface SchemaTypes {
  'health-check': HealthCheckResponse;
  'ecosystem-health': EcosystemHealth;
  event: SelfhealEvent;
  config: SelfhealConfig;
}

// ajv-errors and ajv-formats are CommonJS with `exports.default`; under NodeNext the default
// import is the module object, so take `.default` when it is there.
type Plugin = (ajv: Ajv2020) => Ajv2020;
const cjsDefault = (mod: unknown): Plugin =>
  ((mod as { default?: Plugin }).default ?? mod) as Plugin;
/** ajv-formats' plugin; also used by the foreign-schema ajv (foreignSchema.ts). */
export const addFormats = cjsDefault(ajvFormats);
const addErrors = cjsDefault(ajvErrors);

let ajv: Ajv2020 | undefined;
const compiled = new Map<SchemaName, ValidateFunction>();

function sharedAjv(): Ajv2020 {
  if (!ajv) {
    ajv = new Ajv2020({
      allErrors: true,
      strict: true,
      // oneOf branches that only list required keys are the idiom for "one of these keys".
      strictRequired: false,
      allowUnionTypes: true,
    });
    addFormats(ajv);
    addErrors(ajv);
  }
  return ajv;
}

/**
 * The compiled ajv validator for a schema. Compiled on first use and cached for the life of
 * the process, so hot paths (validating every event of a replay) pay only the check itself.
 * @throws SchemaError UNKNOWN_SCHEMA for a name that is not shipped.
 */
export function getValidator<N extends SchemaName>(name: N): ValidateFunction<SchemaTypes[N]> {
  let fn = compiled.get(name);
  if (!fn) {
    fn = sharedAjv().compile(loadSchema(name));
    compiled.set(name, fn);
  }
  return fn as ValidateFunction<SchemaTypes[N]>;
}

/**
 * Validates `document` against the schema `name`. Never throws for a bad document: the
 * result lists every issue with its JSON pointer, what was expected and what was found.
 */
export function validate<N extends SchemaName>(
  name: N,
  document: unknown,
): ValidationResult<SchemaTypes[N]> {
  const fn = getValidator(name);
  if (fn(document)) return { valid: true, value: document, issues: [] };
  return { valid: false, issues: toIssues(fn.errors, document) };
}

/** Guard: a W3 `/health` response body. */
export function isHealthCheckResponse(document: unknown): document is HealthCheckResponse {
  return getValidator('health-check')(document);
}

/** Guard: a `/health/ecosystem` body. */
export function isEcosystemHealth(document: unknown): document is EcosystemHealth {
  return getValidator('ecosystem-health')(document);
}

/** Guard: an event whose envelope (and fields, for a known type) are valid. */
export function isSelfhealEvent(document: unknown): document is SelfhealEvent {
  return getValidator('event')(document);
}

/** Guard: a gateway/monitor config. */
export function isSelfhealConfig(document: unknown): document is SelfhealConfig {
  return getValidator('config')(document);
}

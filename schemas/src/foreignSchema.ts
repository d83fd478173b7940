import type { ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { toIssues, type ValidationIssue } from './issues.js';
import { addFormats } from './validators.js';

/**
 * A compiled schema that came from outside Selfheal (a tool's `outputSchema`): the issues of a
 * value against it, `[]` when it conforms. At most one issue (the first ajv finds): callers
 * name the first error, and stopping there is cheaper on every call.
 */
export type ForeignValidator = (value: unknown) => ValidationIssue[];

let ajv: Ajv2020 | undefined;

/**
 * An ajv of its own for foreign schemas, as lenient as the MCP SDK's client validator (which a
 * downstream client runs on the same results): unknown keywords and formats are ignored
 * (`strict: false`), the schema is not checked against its meta-schema (a `$schema` of another
 * draft still compiles), and schemas with an `$id` are not registered, so two servers may use
 * the same `$id` for different schemas.
 */
function foreignAjv(): Ajv2020 {
  if (!ajv) {
    ajv = new Ajv2020({
      strict: false,
      validateSchema: false,
      addUsedSchema: false,
      allErrors: false,
    });
    addFormats(ajv);
  }
  return ajv;
}

/**
 * Compiles a JSON Schema from outside (JSON Schema 2020-12, the MCP default dialect) into a
 * {@link ForeignValidator}. Compiling is the expensive part: callers compile once per schema
 * and keep the validator (ajv itself keeps nothing, so dropping the validator frees it).
 * @throws ajv's error when the schema cannot be compiled (an unresolvable `$ref`, a keyword
 * with a value of the wrong shape)
 */
export function compileForeignSchema(schema: Record<string, unknown> | boolean): ForeignValidator {
  const a = foreignAjv();
  const validate: ValidateFunction = a.compile(schema);
  // ajv caches every compiled schema by its object; the caller's cache is the one that counts.
  if (typeof schema === 'object') a.removeSchema(schema);
  return (value) => (validate(value) ? [] : toIssues(validate.errors, value).slice(0, 1));
}

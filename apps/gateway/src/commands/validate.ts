import { parseArgs } from 'node:util';
import {
  DocumentReadError,
  isSchemaName,
  parseDocument,
  readText,
  SCHEMA_NAMES,
  type ValidationIssue,
  validate,
} from '@selfheal/schemas';
import { type CliIO, ExitCode, parseCommand } from '../io.js';

export const validateUsage = `usage: selfheal validate --schema NAME FILE [--json]

Validates a JSON or YAML document (a .jsonl file: every line) against a Selfheal schema.
Schemas: ${SCHEMA_NAMES.join(', ')}.
Exit: 0 valid, 1 invalid (each issue with its JSON pointer), 2 unreadable or bad usage.
`;

interface FileIssue extends ValidationIssue {
  /** 1-based line, for .jsonl files. */
  line?: number;
}

/** `selfheal validate`: exit 0 valid, 1 invalid, 2 unreadable or bad usage. */
export async function runValidate(argv: string[], io: CliIO): Promise<number> {
  const parsed = parseCommand('validate', validateUsage, argv, io, parse);
  if (typeof parsed === 'number') return parsed;
  const { schema, json } = parsed.values;
  const file = parsed.positionals[0];
  if (!schema || !file || parsed.positionals.length > 1) {
    io.stderr(`selfheal validate: expected --schema NAME and one FILE\n\n${validateUsage}`);
    return ExitCode.Unusable;
  }
  if (!isSchemaName(schema)) {
    io.stderr(
      `selfheal validate: unknown schema "${schema}": expected one of ${SCHEMA_NAMES.join(', ')}\n`,
    );
    return ExitCode.Unusable;
  }

  let issues: FileIssue[];
  try {
    issues = /\.jsonl$/i.test(file)
      ? await validateLines(schema, file)
      : await validateFile(schema, file);
  } catch (error) {
    const message =
      error instanceof DocumentReadError ? error.message : `${file}: ${String(error)}`;
    if (json)
      io.stdout(
        `${JSON.stringify({ file, schema, valid: false, readable: false, error: message })}\n`,
      );
    else io.stderr(`selfheal validate: ${message}\n`);
    return ExitCode.Unusable;
  }

  if (json) {
    io.stdout(
      `${JSON.stringify({ file, schema, valid: issues.length === 0, readable: true, issues })}\n`,
    );
  } else if (issues.length === 0) {
    io.stdout(`${file}: valid ${schema}\n`);
  } else {
    const lines = issues.map(
      (i) => `  ${i.line === undefined ? '' : `line ${i.line} `}${i.message}`,
    );
    io.stdout(
      `${file}: ${issues.length} issue${issues.length === 1 ? '' : 's'} against schema ${schema}\n${lines.join('\n')}\n`,
    );
  }
  return issues.length === 0 ? ExitCode.Ok : ExitCode.Invalid;
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      schema: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
}

async function validateFile(
  schema: Parameters<typeof validate>[0],
  file: string,
): Promise<FileIssue[]> {
  return validate(schema, parseDocument(await readText(file), file)).issues;
}

/** A JSONL file: every non-blank line is one document; a line that is not JSON is an issue. */
async function validateLines(
  schema: Parameters<typeof validate>[0],
  file: string,
): Promise<FileIssue[]> {
  const text = await readText(file);
  const issues: FileIssue[] = [];
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const raw = lines[index]!.trim();
    if (raw === '') continue;
    let document: unknown;
    try {
      document = JSON.parse(raw);
    } catch (error) {
      const reason = (error as Error).message;
      issues.push({
        line: index + 1,
        pointer: '',
        keyword: 'json',
        expected: 'one JSON document',
        found: 'text that is not JSON',
        message: `(line): expected one JSON document, found text that is not JSON (${reason})`,
      });
      continue;
    }
    for (const issue of validate(schema, document).issues)
      issues.push({ line: index + 1, ...issue });
  }
  return issues;
}

import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';

/** Why a document could not be read at all (as opposed to read and found invalid). */
export class DocumentReadError extends Error {
  readonly file: string;

  constructor(file: string, message: string, options: { cause?: unknown } = {}) {
    super(`${file}: ${message}`, options);
    this.name = 'DocumentReadError';
    this.file = file;
  }
}

/** True for names that are parsed as YAML (`.yaml`, `.yml`); everything else is JSON. */
export function isYamlFile(file: string): boolean {
  return /\.ya?ml$/i.test(file);
}

/**
 * Parses the text of a JSON or YAML document, chosen by the file's extension.
 * @throws DocumentReadError naming the file, and the line and column of a syntax error.
 */
export function parseDocument(text: string, file: string): unknown {
  try {
    if (isYamlFile(file)) return parseYaml(text, { prettyErrors: true });
    return JSON.parse(text);
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
    throw new DocumentReadError(
      file,
      `not valid ${isYamlFile(file) ? 'YAML' : 'JSON'}: ${reason}`,
      {
        cause,
      },
    );
  }
}

/**
 * Reads a UTF-8 text file.
 * @throws DocumentReadError naming the file and why (missing, a directory, no permission).
 */
export async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'is a directory'
          : code === 'EACCES'
            ? 'permission denied'
            : String(cause);
    throw new DocumentReadError(file, `cannot read: ${reason}`, { cause });
  }
}

/**
 * Reads and parses a JSON or YAML file.
 * @throws DocumentReadError when the file is missing, unreadable or not parseable.
 */
export async function readDocument(file: string): Promise<unknown> {
  return parseDocument(await readText(file), file);
}

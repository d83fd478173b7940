#!/usr/bin/env node
// Run by each published package's build after tsc, in the package's folder: copies this
// package's compiled building blocks into `dist/internal/` and points every import of
// `@selfheal/internal` in `dist/` (JavaScript and declarations) at that copy. This package is
// private and never published, so a published build must not import it at run time.
import {
  copyFileSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const SPECIFIER = /(from\s+|import\s*\(\s*)(['"])@selfheal\/internal(\/[\w./-]*)?\2/g;

/** Every file under `dir`, as paths. */
function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? walk(path) : [path];
  });
}

/** The import specifier of `target` from the file at `from`, `./` first as ESM wants. */
function specifierFrom(from, target) {
  const path = relative(dirname(from), target).split(sep).join('/');
  return path.startsWith('.') ? path : `./${path}`;
}

/**
 * Inlines the building blocks into `packageDir/dist`; returns the files rewritten.
 * @throws Error when `dist` imports a subpath of `@selfheal/internal` (only the root is built).
 */
export function inlineInternal(packageDir, internalDist) {
  const dist = join(packageDir, 'dist');
  const target = join(dist, 'internal');
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  for (const file of walk(internalDist)) {
    if (!/\.(js|d\.ts)$/.test(file)) continue;
    const to = join(target, relative(internalDist, file));
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(file, to);
  }
  const index = join(target, 'index.js');
  const rewritten = [];
  for (const file of walk(dist)) {
    if (file.startsWith(target) || !/\.(js|d\.ts)$/.test(file)) continue;
    const text = readFileSync(file, 'utf8');
    if (!text.includes('@selfheal/internal')) continue;
    const next = text.replace(SPECIFIER, (_match, lead, quote, subpath) => {
      if (subpath)
        throw new Error(`${file} imports @selfheal/internal${subpath}: only the root is inlined`);
      return `${lead}${quote}${specifierFrom(file, index)}${quote}`;
    });
    if (next.includes('@selfheal/internal'))
      throw new Error(`${file} names @selfheal/internal in a form this script does not rewrite`);
    writeFileSync(file, next);
    rewritten.push(file);
  }
  return rewritten;
}

// Run through the bin link in node_modules/.bin: compare real paths.
if (realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const internalDist = fileURLToPath(new URL('../dist', import.meta.url));
  inlineInternal(process.cwd(), internalDist);
}

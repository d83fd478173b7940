#!/usr/bin/env node
// The `selfheal` command. The code lives in dist/ (built by `pnpm install` at the repo root).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write(
    'selfheal: the CLI is not built yet. Run `pnpm install` (or `pnpm build`) at the repository root.\n',
  );
  process.exit(2);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));

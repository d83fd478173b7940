// Bundles the dashboard (dashboard/) into dist/dashboard/: index.html, app.js, app.css. Every
// asset is in the package; the page loads nothing from elsewhere (RFC 0016).
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'dashboard');
await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });
await build({
  entryPoints: { app: join(root, 'dashboard', 'src', 'main.tsx') },
  bundle: true,
  format: 'esm',
  target: ['chrome111', 'firefox111', 'safari16.4'],
  minify: process.env.DASHBOARD_MINIFY !== '0',
  sourcemap: false,
  jsx: 'automatic',
  jsxImportSource: 'preact',
  outdir: out,
  logLevel: 'warning',
  legalComments: 'linked',
});
await copyFile(join(root, 'dashboard', 'index.html'), join(out, 'index.html'));

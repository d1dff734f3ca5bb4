// Builds web/src into web/dist (static files the service serves). `--if-missing` skips
// the build when web/dist is already there, so `npm start` stays quick after the first time.
import { build } from 'esbuild';
import { cpSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = `${root}web/src`;
const dist = `${root}web/dist`;
if (process.argv.includes('--if-missing') && existsSync(`${dist}/index.html`)) process.exit(0);
if (!existsSync(src)) process.exit(0);
mkdirSync(dist, { recursive: true });
const entries = readdirSync(src).filter((f) => /\.ts$/.test(f) && !f.endsWith('.d.ts')).map((f) => `${src}/${f}`);
if (entries.length > 0) {
  await build({ entryPoints: entries, bundle: true, outdir: dist, format: 'esm', target: 'es2022', minify: true, sourcemap: true, logLevel: 'warning' });
}
for (const f of readdirSync(src)) if (/\.(html|css|svg|png)$/.test(f)) cpSync(`${src}/${f}`, `${dist}/${f}`);
if (existsSync(`${root}node_modules/leaflet/dist`)) {
  cpSync(`${root}node_modules/leaflet/dist/leaflet.css`, `${dist}/leaflet.css`);
  cpSync(`${root}node_modules/leaflet/dist/images`, `${dist}/images`, { recursive: true });
}

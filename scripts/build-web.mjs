// Builds web/src into web/dist (static files the service serves). `--if-missing` skips
// the build when web/dist is already there, so `npm start` stays quick after the first time.
// The app is one entry (web/src/app.ts) split into chunks: what only some pages or
// cities need (turf's buffer for permit corridors) loads when first used.
import { build } from 'esbuild';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = `${root}web/src`;
const dist = `${root}web/dist`;
if (process.argv.includes('--if-missing') && existsSync(`${dist}/index.html`) && existsSync(`${dist}/app.js`)) process.exit(0);
if (!existsSync(src)) process.exit(0);
// A clean directory: chunks from an older build must not linger.
rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });
await build({
  entryPoints: [`${src}/app.ts`],
  bundle: true,
  splitting: true,
  outdir: dist,
  entryNames: '[name]',
  chunkNames: 'chunks/[name]-[hash]',
  format: 'esm',
  target: 'es2022',
  minify: true,
  sourcemap: true,
  legalComments: 'linked',
  logLevel: 'warning',
});
for (const f of readdirSync(src)) if (/\.(html|css|svg|png|ico)$/.test(f)) cpSync(`${src}/${f}`, `${dist}/${f}`);
if (existsSync(`${root}node_modules/leaflet/dist`)) {
  cpSync(`${root}node_modules/leaflet/dist/leaflet.css`, `${dist}/leaflet.css`);
  cpSync(`${root}node_modules/leaflet/dist/images`, `${dist}/images`, { recursive: true });
}
// Gzip twins that the service sends to browsers taking gzip (src/api/web-static.ts).
const gzipAll = (dir) => {
  for (const f of readdirSync(dir)) {
    const path = `${dir}/${f}`;
    if (statSync(path).isDirectory()) gzipAll(path);
    else if (/\.(js|css|html|svg)$/.test(f)) writeFileSync(`${path}.gz`, gzipSync(readFileSync(path), { level: 9 }));
  }
};
gzipAll(dist);

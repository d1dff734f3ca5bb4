// Builds web/src into web/dist (static files the service serves). `--if-missing` skips
// the build when web/dist is already there, so `npm start` stays quick after the first time.
// The app is one entry (web/src/app.ts) split into chunks: what only some pages or
// cities need (turf's buffer for permit corridors) loads when first used.
//
// Files are replaced atomically and only when their content changed: two test files may
// build at once while a service serves web/dist, and none may read a half-written file.
import { build } from 'esbuild';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = `${root}web/src`;
const dist = `${root}web/dist`;
if (process.argv.includes('--if-missing') && existsSync(`${dist}/index.html`) && existsSync(`${dist}/app.js`)) process.exit(0);
if (!existsSync(src)) process.exit(0);

const written = new Set();
function put(path, contents) {
  written.add(relative(dist, path).split(sep).join('/'));
  if (existsSync(path) && Buffer.compare(readFileSync(path), contents) === 0) return;
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, contents);
  renameSync(tmp, path);
}
function putWithGzip(path, contents) {
  put(path, contents);
  // Gzip twins that the service sends to browsers taking gzip (src/api/web-static.ts).
  if (/\.(js|css|html|svg)$/.test(path)) put(`${path}.gz`, gzipSync(contents, { level: 9 }));
}

const result = await build({
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
  write: false,
});
for (const f of result.outputFiles) putWithGzip(resolve(f.path), Buffer.from(f.contents));
for (const f of readdirSync(src)) if (/\.(html|css|svg|png|ico)$/.test(f)) putWithGzip(`${dist}/${f}`, readFileSync(`${src}/${f}`));
const leaflet = `${root}node_modules/leaflet/dist`;
if (existsSync(leaflet)) {
  putWithGzip(`${dist}/leaflet.css`, readFileSync(`${leaflet}/leaflet.css`));
  for (const f of readdirSync(`${leaflet}/images`)) put(`${dist}/images/${f}`, readFileSync(`${leaflet}/images/${f}`));
}
const uplotCss = `${root}node_modules/uplot/dist/uPlot.min.css`;
if (existsSync(uplotCss)) putWithGzip(`${dist}/uplot.css`, readFileSync(uplotCss));
// Chunks of an older build go (their names carry a content hash).
if (existsSync(`${dist}/chunks`)) {
  for (const f of readdirSync(`${dist}/chunks`)) {
    if (!written.has(`chunks/${f}`) && !f.endsWith('.tmp') && statSync(`${dist}/chunks/${f}`).isFile()) rmSync(`${dist}/chunks/${f}`, { force: true });
  }
}

import express from 'express';
import { existsSync, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';

/**
 * The built web app (web/dist): static files, the gzip twin of a file when the build
 * made one and the browser takes gzip (the map page's first load is mostly script),
 * and index.html for every page path (/dispatch, /admin/users …) so that a bookmark or a
 * typed address opens the app, which then routes on the client.
 */
const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json; charset=utf-8',
};

export function webAppRouter(webDir: string): express.Router {
  const router = express.Router();
  const root = normalize(webDir);

  router.use((req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    if (!/\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) return next();
    const type = TYPES[extname(req.path)];
    if (!type) return next();
    const file = normalize(join(root, decodeURIComponent(req.path)));
    if (!file.startsWith(root + sep) || !existsSync(`${file}.gz`)) return next();
    res.setHeader('Content-Type', type);
    res.setHeader('Content-Encoding', 'gzip');
    res.setHeader('Vary', 'Accept-Encoding');
    cacheHeaders(res, req.path);
    res.sendFile(`${file}.gz`, { lastModified: true, etag: true, cacheControl: false });
  });

  router.use(express.static(root, {
    index: false,
    cacheControl: false,
    setHeaders: (res, path) => cacheHeaders(res, path),
  }));

  // Client-side routes: a path without a file extension outside /api and /socket.io.
  router.get(/^\/(?!api(\/|$)|socket\.io(\/|$))[^.]*$/, (_req, res, next) => {
    const index = join(root, 'index.html');
    if (!existsSync(index) || !statSync(index).isFile()) return next();
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
  return router;
}

/** Chunks carry a content hash in their name and never change; everything else is revalidated. */
function cacheHeaders(res: express.Response, path: string): void {
  res.setHeader('Cache-Control', /[\\/]chunks[\\/]/.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache');
}

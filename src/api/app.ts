import express, { type NextFunction, type Request, type Response } from 'express';
import { existsSync } from 'node:fs';
import type { Logger } from 'pino';
import { ApiError } from './errors.js';
import { webAppRouter } from './web-static.js';
import type { ApiRoutes } from './routes.js';

/** The HTTP application: /api/v1 routes, the built web app (with its page paths), JSON errors everywhere. */
export function createApp(api: ApiRoutes, options: { logger: Logger; webDir?: string; extraRouters?: express.Router[] }): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use((req, res, next) => {
    const startNs = process.hrtime.bigint();
    res.on('finish', () => {
      options.logger.debug({ method: req.method, url: req.originalUrl, status: res.statusCode, ms: Number(process.hrtime.bigint() - startNs) / 1e6 }, 'http');
    });
    next();
  });
  for (const r of options.extraRouters ?? []) app.use(r);
  app.use('/api/v1', api.router);
  app.use('/api', (req, _res, next) => next(new ApiError(404, 'no such route', [{ path: 'url', message: `${req.method} ${req.originalUrl} is not an API route (GET /api/v1 lists them)` }], 'route.not_found')));
  if (options.webDir && existsSync(options.webDir)) app.use(webAppRouter(options.webDir));
  app.use((req, _res, next) => next(new ApiError(404, 'not found', [{ path: 'url', message: `${req.method} ${req.originalUrl}` }], 'not_found')));
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const apiErr = toApiError(err, options.logger);
    for (const [k, v] of Object.entries(apiErr.headers)) res.setHeader(k, v);
    res.status(apiErr.status).json({ error: apiErr.message, code: apiErr.code, details: apiErr.details });
  });
  return app;
}

/** Any error a handler or a body parser throws, as the API's error (status, stable code, details). */
function toApiError(err: unknown, logger: Logger): ApiError {
  const e = err as { type?: string; status?: number; message?: string; limit?: number };
  if (err instanceof ApiError) return err;
  if (e?.type === 'entity.too.large') return new ApiError(413, 'request body too large', [{ path: 'body', message: `the limit is ${e.limit ?? '?'} bytes` }], 'body.too_large');
  if (e?.type === 'entity.parse.failed') return new ApiError(400, 'malformed JSON', [{ path: 'body', message: e.message ?? 'cannot parse' }], 'body.malformed_json');
  if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported') {
    return new ApiError(415, 'unsupported body encoding', [{ path: 'headers.content-type', message: e.message ?? '' }], 'body.unsupported_encoding');
  }
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) return new ApiError(e.status, e.message ?? 'bad request', [{ path: 'request', message: e.message ?? '' }]);
  logger.error({ err }, 'unhandled error');
  return new ApiError(500, 'internal error', [], 'internal');
}

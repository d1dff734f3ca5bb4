import express, { type Request, type Response, type NextFunction } from 'express';
import type { z } from 'zod';
import { ApiError, validationError } from './errors.js';
import { nulPaths } from './nul-check.js';
import type { Principal, PrincipalSource, Role } from '../domain/principal.js';

/**
 * Every route is declared through `ApiRoutes.add` with the roles it admits, so the role
 * check cannot be forgotten and the route table (GET /api/v1, the role test) is
 * complete by construction. Order per request: authenticate → authorize → parse the
 * body (an unauthenticated client cannot make us parse megabytes) → validate → handle.
 */
export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface HandlerContext<B, Q, P> {
  principal: Principal | undefined;
  body: B;
  query: Q;
  params: P;
  req: Request;
  res: Response;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface RouteDef<B = unknown, Q = unknown, P = unknown> {
  method: Method;
  path: string;
  summary: string;
  roles: readonly Role[] | 'public';
  body?: z.ZodType<B>;
  query?: z.ZodType<Q>;
  params?: z.ZodType<P>;
  bodyLimitBytes?: number;
  /** JSON media types the body may be sent as; default application/json. */
  bodyTypes?: readonly string[];
  /** Take the body as raw text of any content type (device protocols), instead of validated JSON. */
  rawBody?: boolean;
  /**
   * Let requests without a token reach the handler, which must then authenticate the
   * caller itself (phones on the OsmAnd protocol cannot send headers: their device id
   * bound to a vehicle is the credential). The role check still applies to tokens.
   */
  allowAnonymous?: boolean;
  /** The 2xx answer's shape, for the OpenAPI description (not enforced at run time). */
  response?: z.ZodType;
  /** The status of a successful answer when not 200 (201 created, 204 no content), for the description. */
  successStatus?: 200 | 201 | 204;
  handler(ctx: HandlerContext<B, Q, P>): Promise<Reply | unknown> | Reply | unknown;
}

export interface RouteInfo {
  method: Method;
  path: string;
  summary: string;
  roles: readonly Role[] | 'public';
  hasBody: boolean;
  allowAnonymous: boolean;
  rawBody: boolean;
  bodyTypes: readonly string[];
  successStatus?: 200 | 201 | 204;
  /** The schemas that validate the request (and describe the answer), for the OpenAPI description. */
  schemas: { body?: z.ZodType; query?: z.ZodType; params?: z.ZodType; response?: z.ZodType };
}

export const DEFAULT_BODY_LIMIT_BYTES = 1_000_000;

export function isReply(x: unknown): x is Reply {
  return typeof x === 'object' && x !== null && 'status' in x && typeof (x as Reply).status === 'number' && Object.keys(x).every((k) => ['status', 'body', 'headers'].includes(k));
}

export class ApiRoutes {
  readonly router = express.Router();
  readonly table: RouteInfo[] = [];

  constructor(private readonly principals: Pick<PrincipalSource, 'check'>, private readonly defaultBodyLimitBytes = DEFAULT_BODY_LIMIT_BYTES) {}

  add<B, Q, P>(def: RouteDef<B, Q, P>): void {
    const bodyTypes = [...(def.bodyTypes ?? ['application/json'])];
    this.table.push({
      method: def.method, path: def.path, summary: def.summary, roles: def.roles, hasBody: !!def.body, allowAnonymous: !!def.allowAnonymous,
      rawBody: !!def.rawBody, bodyTypes, successStatus: def.successStatus, schemas: { body: def.body, query: def.query, params: def.params, response: def.response },
    });
    const jsonParser = express.json({
      limit: def.bodyLimitBytes ?? this.defaultBodyLimitBytes, strict: false, type: bodyTypes,
      // The parser turns an empty body into {}; remember the size so "no body" stays visible.
      verify: (req, _res, buf) => {
        (req as Request & { bodyBytes?: number }).bodyBytes = buf.length;
      },
    });
    const handlers: Array<(req: Request, res: Response, next: NextFunction) => unknown> = [];
    handlers.push(async (req, res, next) => {
      const principal = await this.authenticate(req);
      if (def.roles !== 'public') {
        if (!principal && def.allowAnonymous) {
          next();
          return;
        }
        if (!principal) throw new ApiError(401, 'authentication required', [{ path: 'headers.authorization', message: 'send "Authorization: Bearer <token>"' }], 'auth.required');
        if (!def.roles.includes(principal.role)) {
          throw new ApiError(403, 'forbidden', [{ path: 'headers.authorization', message: `role "${principal.role}" may not ${def.method.toUpperCase()} ${def.path}` }], 'auth.forbidden');
        }
      }
      res.locals.principal = principal;
      next();
    });
    if (def.rawBody) {
      handlers.push(express.text({ type: () => true, limit: def.bodyLimitBytes ?? this.defaultBodyLimitBytes }));
    } else if (def.body) {
      handlers.push((req, _res, next) => {
        if (!req.is(bodyTypes)) {
          throw new ApiError(415, 'expected a JSON body', [{ path: 'headers.content-type', message: `send Content-Type: ${bodyTypes.join(' or ')}` }], 'body.not_json');
        }
        next();
      });
      handlers.push(jsonParser);
      handlers.push((req, _res, next) => {
        if (!(req as Request & { bodyBytes?: number }).bodyBytes) {
          throw new ApiError(400, 'a JSON body is required', [{ path: 'body', message: `${def.method.toUpperCase()} ${def.path} takes a JSON body; the request has none` }], 'body.required');
        }
        next();
      });
    }
    handlers.push(async (req, res) => {
      // Device protocols (raw bodies) are validated by their own parsers in src/ingest.
      if (!def.rawBody) {
        const nul = [...nulPaths(req.params, 'params'), ...nulPaths(req.query, 'query'), ...nulPaths(req.body, 'body')];
        if (nul.length > 0) throw new ApiError(400, 'invalid request', nul);
      }
      const parse = <T>(schema: z.ZodType<T> | undefined, value: unknown, where: string): T => {
        if (!schema) return value as T;
        const r = schema.safeParse(value);
        if (!r.success) throw validationError(r.error, where);
        return r.data;
      };
      const ctx: HandlerContext<B, Q, P> = {
        principal: res.locals.principal as Principal | undefined,
        params: parse(def.params, req.params, 'params'),
        query: parse(def.query, { ...(req.query as object) }, 'query'),
        body: parse(def.body, req.body, 'body'),
        req,
        res,
      };
      const out = await def.handler(ctx);
      if (res.headersSent) return;
      if (isReply(out)) {
        for (const [k, v] of Object.entries(out.headers ?? {})) res.setHeader(k, v);
        if (out.body === undefined) res.status(out.status).end();
        else res.status(out.status).json(out.body);
      } else {
        res.status(200).json(out);
      }
    });
    this.router[def.method](def.path, ...handlers);
  }

  private async authenticate(req: Request): Promise<Principal | undefined> {
    const header = req.headers.authorization;
    if (!header) return undefined;
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m) throw new ApiError(401, 'malformed Authorization header', [{ path: 'headers.authorization', message: 'expected "Bearer <token>"' }], 'auth.malformed_header');
    const checked = await this.principals.check(m[1]!);
    if ('refused' in checked) {
      if (checked.refused === 'expired') throw new ApiError(401, 'token expired', [{ path: 'headers.authorization', message: 'the token has expired: sign in again or ask an admin for a new token' }], 'auth.token_expired');
      throw new ApiError(401, 'invalid or revoked token', [{ path: 'headers.authorization', message: 'token not recognised' }], 'auth.invalid_token');
    }
    return checked.principal;
  }
}

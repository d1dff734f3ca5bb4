import { z } from 'zod';
import type { Request } from 'express';
import { decoyHash, hashPassword, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, verifyPassword, type ScryptParams } from '../auth/passwords.js';
import type { LoginLimiter } from '../auth/login-limiter.js';
import { roles, userRoles, type Principal } from '../domain/principal.js';
import type { SessionStore } from '../auth/sessions.js';
import { summary, type UserStore } from '../auth/users.js';
import { ApiError } from './errors.js';
import type { ApiRoutes } from './routes.js';

/**
 * People's sign-in: login issues a session token (sent afterwards as `Authorization:
 * Bearer <token>`, like an API token, and as socket.io `auth.token`), logout ends it,
 * /auth/me says who is asking, /auth/password changes one's own password. Unknown name,
 * wrong password and disabled user get the same 401 after the same scrypt work; failures
 * are limited per name and per address (429 with Retry-After).
 */
export interface AuthRouteDeps {
  users: UserStore;
  sessions: SessionStore;
  limiter: LoginLimiter;
  /** scrypt cost of new hashes and of the decoy; the production default when left out */
  hashParams?: ScryptParams;
}

export const loginBody = z.strictObject({
  name: z.string().min(1).max(64),
  password: z.string().min(1).max(MAX_PASSWORD_LENGTH),
});

export const newPassword = z.string().min(MIN_PASSWORD_LENGTH, `at least ${MIN_PASSWORD_LENGTH} characters`).max(MAX_PASSWORD_LENGTH);

const passwordBody = z.strictObject({
  currentPassword: z.string().min(1).max(MAX_PASSWORD_LENGTH),
  newPassword,
}).refine((b) => b.currentPassword !== b.newPassword, { message: 'must differ from the current password', path: ['newPassword'] });

export const userSummarySchema = z.object({
  id: z.string(), name: z.string(), displayName: z.string(), role: z.enum(userRoles),
  vehicleId: z.string().optional(), contractor: z.string().optional(), district: z.string().optional(),
});
const loginReply = z.object({ token: z.string(), expiresAt: z.iso.datetime(), user: userSummarySchema });
const meReply = z.object({
  credential: z.enum(['session', 'api_token']),
  role: z.enum(roles),
  expiresAt: z.iso.datetime().nullable(),
  user: userSummarySchema.optional().describe('sessions: the person'),
  token: z.object({ tokenId: z.string(), role: z.enum(roles), vehicleId: z.string().optional(), label: z.string().optional() }).optional().describe('API tokens: the token'),
});

/** The client address as the socket sees it (no proxy is trusted). */
function clientAddress(req: Request): string {
  return req.socket.remoteAddress ?? 'unknown';
}

function rateLimited(waitMs: number, path: string): ApiError {
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  return new ApiError(429, 'too many failed attempts', [{ path, message: `try again in ${seconds} s` }], 'auth.rate_limited', { 'Retry-After': String(seconds) });
}

function sessionOf(principal: Principal | undefined): Principal & { userId: string } {
  if (principal?.credential !== 'session' || !principal.userId) {
    throw new ApiError(400, 'not a session', [{ path: 'headers.authorization', message: 'this works for a signed-in person; an API token has no session or password' }], 'auth.not_a_session');
  }
  return principal as Principal & { userId: string };
}

export function addAuthRoutes(api: ApiRoutes, deps: AuthRouteDeps): void {
  const { users, sessions, limiter } = deps;

  api.add({
    method: 'post', path: '/auth/login', roles: 'public', body: loginBody, response: loginReply,
    summary: 'Sign in with name and password: a session token (fixed 12 h), sent afterwards as "Authorization: Bearer <token>" and as socket.io auth.token. 401 auth.invalid_credentials; 429 auth.rate_limited with Retry-After after 5 failures per name (20 per address) in 15 min',
    handler: async ({ body, req }) => {
      const key = body.name.toLowerCase();
      const address = clientAddress(req);
      const waitMs = limiter.retryAfterMs(key, address);
      if (waitMs > 0) throw rateLimited(waitMs, 'body.name');
      const found = await users.findForLogin(body.name);
      // The same scrypt work whether or not the name exists: timing tells nothing.
      const matches = await verifyPassword(body.password, found?.passwordHash ?? await decoyHash(deps.hashParams));
      if (!found || !matches || found.user.disabledAt) {
        limiter.recordFailure(key, address);
        throw new ApiError(401, 'invalid name or password', [{ path: 'body', message: 'the name or the password is wrong' }], 'auth.invalid_credentials');
      }
      limiter.recordSuccess(key);
      const session = await sessions.create(found.user.id);
      return { token: session.token, expiresAt: session.expiresAt, user: summary(found.user) };
    },
  });

  api.add({
    method: 'post', path: '/auth/logout', roles: userRoles, successStatus: 204,
    summary: 'Sign out: the session token stops working at once (400 auth.not_a_session for an API token)',
    handler: async ({ principal }) => {
      const session = sessionOf(principal);
      await sessions.revoke(session.tokenId);
      return { status: 204 };
    },
  });

  api.add({
    method: 'get', path: '/auth/me', roles, response: meReply,
    summary: 'Who is asking: the signed-in user (session) or the API token\'s principal, with the role and the credential\'s expiry',
    handler: async ({ principal }) => {
      const p = principal!;
      const expiresAt = p.expiresAtMs === undefined ? null : new Date(p.expiresAtMs).toISOString();
      if (p.credential === 'session' && p.userId) {
        const user = await users.get(p.userId);
        if (!user) throw new ApiError(401, 'invalid or revoked token', [{ path: 'headers.authorization', message: 'the user no longer exists' }], 'auth.invalid_token');
        return { credential: 'session', role: p.role, expiresAt, user: summary(user) };
      }
      return {
        credential: 'api_token', role: p.role, expiresAt,
        token: { tokenId: p.tokenId, role: p.role, ...(p.vehicleId ? { vehicleId: p.vehicleId } : {}), ...(p.label ? { label: p.label } : {}) },
      };
    },
  });

  api.add({
    method: 'post', path: '/auth/password', roles: userRoles, body: passwordBody, successStatus: 204,
    summary: `Change one's own password (new: at least ${MIN_PASSWORD_LENGTH} characters); every other session of the user ends. 400 auth.wrong_password when the current one is wrong`,
    handler: async ({ body, principal, req }) => {
      const session = sessionOf(principal);
      const key = (principal!.label ?? session.userId).toLowerCase();
      const address = clientAddress(req);
      const waitMs = limiter.retryAfterMs(key, address);
      if (waitMs > 0) throw rateLimited(waitMs, 'body.currentPassword');
      const stored = await users.passwordHash(session.userId);
      if (!stored || !(await verifyPassword(body.currentPassword, stored))) {
        limiter.recordFailure(key, address);
        throw new ApiError(400, 'wrong password', [{ path: 'body.currentPassword', message: 'not the current password' }], 'auth.wrong_password');
      }
      await users.setPassword(session.userId, await hashPassword(body.newPassword, deps.hashParams));
      await sessions.revokeAllOf(session.userId, session.tokenId);
      return { status: 204 };
    },
  });
}

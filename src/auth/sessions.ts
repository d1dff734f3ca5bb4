import { randomBytes, timingSafeEqual } from 'node:crypto';
import { hashToken as hash } from './api-tokens.js';
import type { Db, Queryable } from '../store/db.js';
import { newId } from '../store/city-repo.js';
import type { Principal, TokenCheck, UserRole } from '../domain/principal.js';

/**
 * Login sessions: a random 256-bit token (prefix `ss_`), stored as its SHA-256 like API
 * tokens, valid for a fixed time from login (not sliding: a stolen session ends on its
 * own, and a page signs in again after a shift). The session's principal is read from
 * the user's row, so a role change, a disabled user or a revoked session takes effect on
 * this instance at once and on others within the cache time.
 */
export const SESSION_PREFIX = 'ss_';
export const DEFAULT_SESSION_TTL_MS = 12 * 3_600_000;
const CACHE_TTL_MS = 30_000;

export interface IssuedSession {
  sessionId: string;
  token: string;
  expiresAt: string;
}

interface SessionRow {
  id: string;
  token_hash: string;
  expires_at: Date | string;
  user_id: string;
  name: string;
  role: UserRole;
  vehicle_id: string | null;
  contractor: string | null;
  district: string | null;
}


export class SessionStore {
  private readonly cache = new Map<string, { principal: Principal | null; cachedUntilMs: number }>();
  private readonly now: () => number;
  readonly ttlMs: number;

  constructor(private readonly db: Db, options: { now?: () => number; ttlMs?: number } = {}) {
    this.now = options.now ?? Date.now;
    this.ttlMs = options.ttlMs ?? DEFAULT_SESSION_TTL_MS;
  }

  async create(userId: string, q: Queryable = this.db): Promise<IssuedSession> {
    const token = `${SESSION_PREFIX}${randomBytes(32).toString('base64url')}`;
    const sessionId = newId('ses');
    const expiresAt = new Date(this.now() + this.ttlMs);
    await q.query('insert into sessions (id, token_hash, user_id, expires_at) values ($1, $2, $3, $4)', [sessionId, hash(token), userId, expiresAt]);
    return { sessionId, token, expiresAt: expiresAt.toISOString() };
  }

  async check(token: string): Promise<TokenCheck> {
    const h = hash(token);
    const now = this.now();
    let principal: Principal | null;
    const hit = this.cache.get(h);
    if (hit && hit.cachedUntilMs > now) {
      principal = hit.principal;
    } else {
      const res = await this.db.query<SessionRow>(
        `select s.id, s.token_hash, s.expires_at, u.id as user_id, u.name, u.role, u.vehicle_id, u.contractor, u.district
         from sessions s join users u on u.id = s.user_id
         where s.token_hash = $1 and s.revoked_at is null and u.disabled_at is null`,
        [h],
      );
      const row = res.rows[0];
      principal = row && timingSafeEqual(Buffer.from(row.token_hash), Buffer.from(h))
        ? {
          credential: 'session', tokenId: row.id, role: row.role, label: row.name, userId: row.user_id,
          expiresAtMs: new Date(row.expires_at).getTime(),
          ...(row.vehicle_id ? { vehicleId: row.vehicle_id } : {}),
          ...(row.contractor ? { contractor: row.contractor } : {}),
          ...(row.district ? { district: row.district } : {}),
        }
        : null;
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(h, { principal, cachedUntilMs: now + CACHE_TTL_MS });
    }
    if (!principal) return { refused: 'invalid' };
    if (principal.expiresAtMs! <= now) return { refused: 'expired' };
    return { principal };
  }

  async revoke(sessionId: string, q: Queryable = this.db): Promise<boolean> {
    const res = await q.query('update sessions set revoked_at = now() where id = $1 and revoked_at is null', [sessionId]);
    this.cache.clear();
    return res.rowCount > 0;
  }

  /** Ends every session of a user, but the one given (a password change keeps the page that made it). */
  async revokeAllOf(userId: string, exceptSessionId?: string, q: Queryable = this.db): Promise<number> {
    const res = await q.query(
      'update sessions set revoked_at = now() where user_id = $1 and revoked_at is null and ($2::text is null or id <> $2)',
      [userId, exceptSessionId ?? null],
    );
    this.cache.clear();
    return res.rowCount;
  }

  /** Clears cached lookups (after a user's role, vehicle or state changed). */
  forget(): void {
    this.cache.clear();
  }

  /** Sessions past their end are useless: drop them (a daily job). */
  async deleteExpired(olderThanMs = 7 * 86_400_000): Promise<number> {
    const res = await this.db.query('delete from sessions where expires_at < $1', [new Date(this.now() - olderThanMs)]);
    return res.rowCount;
  }
}

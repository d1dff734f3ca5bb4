import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db, Queryable } from '../store/db.js';
import { newId } from '../store/city-repo.js';
import type { Principal, Role, TokenCheck } from '../domain/principal.js';

export interface IssuedToken extends Principal {
  /** The secret itself: shown once, stored only as a hash. */
  token: string;
  expiresAt: string | null;
}

export interface TokenInfo {
  tokenId: string;
  role: Role;
  vehicleId?: string;
  label?: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** Which roles a token may bind to a vehicle: a driver always is, a device may be, nobody else. */
export function tokenBindingProblem(role: Role, vehicleId: string | undefined): string | undefined {
  if (role === 'driver' && !vehicleId) return 'a driver token is bound to one vehicle';
  if (vehicleId && role !== 'driver' && role !== 'device') return `a ${role} token is not bound to a vehicle`;
  return undefined;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function generateToken(): string {
  return `sf_${randomBytes(32).toString('base64url')}`;
}

const CACHE_TTL_MS = 30_000;
/** last_used_at is written at most this often per token: one UPDATE a minute, not one per request. */
export const LAST_USED_WRITE_INTERVAL_MS = 60_000;

export interface TokenStoreOptions {
  /** The clock (epoch ms); tests move it. */
  now?: () => number;
  /** A failed last-used write costs nothing but the stamp: it is reported here. */
  onError?: (err: unknown, what: string) => void;
}

const isoOrNull = (d: Date | string | null): string | null => (d ? new Date(d).toISOString() : null);

/**
 * API tokens. Tokens are 256-bit random strings, so a plain SHA-256 is enough to keep
 * them unusable if the table leaks (no password stretching needed). A token may expire;
 * expiry is judged on every use (cached lookups included) by this process's clock.
 */
export class TokenStore {
  private readonly cache = new Map<string, { principal: Principal | null; cachedUntilMs: number }>();
  private readonly lastUsedWrittenMs = new Map<string, number>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly now: () => number;

  constructor(private readonly db: Db, private readonly options: TokenStoreOptions = {}) {
    this.now = options.now ?? Date.now;
  }

  async issue(input: { role: Role; vehicleId?: string; label?: string; token?: string; expiresAt?: Date }, q: Queryable = this.db): Promise<IssuedToken> {
    const token = input.token ?? generateToken();
    const id = newId('tok');
    await q.query('insert into api_tokens (id, token_hash, role, vehicle_id, label, expires_at) values ($1, $2, $3, $4, $5, $6)', [
      id, hashToken(token), input.role, input.vehicleId ?? null, input.label ?? null, input.expiresAt ?? null,
    ]);
    return {
      credential: 'api_token', tokenId: id, role: input.role, vehicleId: input.vehicleId, label: input.label, token,
      expiresAtMs: input.expiresAt?.getTime(), expiresAt: input.expiresAt?.toISOString() ?? null,
    };
  }

  async verify(token: string): Promise<Principal | null> {
    const r = await this.check(token);
    return 'principal' in r ? r.principal : null;
  }

  async check(token: string): Promise<TokenCheck> {
    const hash = hashToken(token);
    const now = this.now();
    let principal: Principal | null;
    const hit = this.cache.get(hash);
    if (hit && hit.cachedUntilMs > now) {
      principal = hit.principal;
    } else {
      const res = await this.db.query<{ id: string; token_hash: string; role: Role; vehicle_id: string | null; label: string | null; expires_at: Date | string | null }>(
        'select id, token_hash, role, vehicle_id, label, expires_at from api_tokens where token_hash = $1 and revoked_at is null', [hash],
      );
      const row = res.rows[0];
      // The lookup is by hash; compare again in constant time so timing says nothing of near misses.
      principal = row && timingSafeEqual(Buffer.from(row.token_hash), Buffer.from(hash))
        ? {
          credential: 'api_token', tokenId: row.id, role: row.role, vehicleId: row.vehicle_id ?? undefined, label: row.label ?? undefined,
          expiresAtMs: row.expires_at ? new Date(row.expires_at).getTime() : undefined,
        }
        : null;
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(hash, { principal, cachedUntilMs: now + CACHE_TTL_MS });
    }
    if (!principal) return { refused: 'invalid' };
    if (principal.expiresAtMs !== undefined && principal.expiresAtMs <= now) return { refused: 'expired' };
    this.touch(principal.tokenId, now);
    return { principal };
  }

  /** Stamps last use without waiting for it, at most once per interval per token and process. */
  private touch(tokenId: string, now: number): void {
    const last = this.lastUsedWrittenMs.get(tokenId);
    if (last !== undefined && now - last < LAST_USED_WRITE_INTERVAL_MS) return;
    if (this.lastUsedWrittenMs.size > 10_000) this.lastUsedWrittenMs.clear();
    this.lastUsedWrittenMs.set(tokenId, now);
    const write = this.db.query('update api_tokens set last_used_at = $2 where id = $1', [tokenId, new Date(now)])
      .then(() => undefined, (err: unknown) => this.options.onError?.(err, 'token last-used stamp'))
      .finally(() => this.inFlight.delete(write));
    this.inFlight.add(write);
  }

  /** Waits for the last-used stamps in flight (before the store closes). */
  async settle(): Promise<void> {
    await Promise.all([...this.inFlight]);
  }

  async list(): Promise<TokenInfo[]> {
    const res = await this.db.query<{ id: string; role: Role; vehicle_id: string | null; label: string | null; created_at: Date; expires_at: Date | null; last_used_at: Date | null; revoked_at: Date | null }>(
      'select id, role, vehicle_id, label, created_at, expires_at, last_used_at, revoked_at from api_tokens order by created_at, id',
    );
    return res.rows.map((r) => ({
      tokenId: r.id, role: r.role, vehicleId: r.vehicle_id ?? undefined, label: r.label ?? undefined,
      createdAt: new Date(r.created_at).toISOString(), expiresAt: isoOrNull(r.expires_at),
      lastUsedAt: isoOrNull(r.last_used_at), revokedAt: isoOrNull(r.revoked_at),
    }));
  }

  async revoke(tokenId: string): Promise<boolean> {
    const res = await this.db.query('update api_tokens set revoked_at = now() where id = $1 and revoked_at is null', [tokenId]);
    this.cache.clear();
    return res.rowCount > 0;
  }

  /** Tokens that still work: not revoked, not expired. */
  async countActive(role?: Role): Promise<number> {
    const now = new Date(this.now());
    const res = role
      ? await this.db.query<{ n: number }>('select count(*)::int as n from api_tokens where revoked_at is null and (expires_at is null or expires_at > $1) and role = $2', [now, role])
      : await this.db.query<{ n: number }>('select count(*)::int as n from api_tokens where revoked_at is null and (expires_at is null or expires_at > $1)', [now]);
    return res.rows[0]?.n ?? 0;
  }
}

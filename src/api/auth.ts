import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db, Queryable } from '../store/db.js';
import { newId } from '../store/city-repo.js';
import type { CredentialVerifier, Principal, Role } from '../domain/principal.js';

export interface IssuedToken extends Principal {
  /** The secret itself: shown once, stored only as a hash. */
  token: string;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function generateToken(): string {
  return `sf_${randomBytes(32).toString('base64url')}`;
}

const CACHE_TTL_MS = 30_000;

/**
 * API tokens. Tokens are 256-bit random strings, so a plain SHA-256 is enough to keep
 * them unusable if the table leaks (no password stretching needed).
 */
export class TokenStore implements CredentialVerifier {
  private readonly cache = new Map<string, { principal: Principal | null; expiresMs: number }>();

  constructor(private readonly db: Db) {}

  async issue(input: { role: Role; vehicleId?: string; label?: string; token?: string }, q: Queryable = this.db): Promise<IssuedToken> {
    const token = input.token ?? generateToken();
    const id = newId('tok');
    await q.query('insert into api_tokens (id, token_hash, role, vehicle_id, label) values ($1, $2, $3, $4, $5)', [
      id, hashToken(token), input.role, input.vehicleId ?? null, input.label ?? null,
    ]);
    return { tokenId: id, role: input.role, vehicleId: input.vehicleId, label: input.label, token };
  }

  async verify(token: string): Promise<Principal | null> {
    const hash = hashToken(token);
    const now = Date.now();
    const hit = this.cache.get(hash);
    if (hit && hit.expiresMs > now) return hit.principal;
    const res = await this.db.query<{ id: string; token_hash: string; role: Role; vehicle_id: string | null; label: string | null }>(
      'select id, token_hash, role, vehicle_id, label from api_tokens where token_hash = $1 and revoked_at is null', [hash],
    );
    const row = res.rows[0];
    // The lookup is by hash; compare again in constant time so timing says nothing of near misses.
    const principal = row && timingSafeEqual(Buffer.from(row.token_hash), Buffer.from(hash))
      ? { tokenId: row.id, role: row.role, vehicleId: row.vehicle_id ?? undefined, label: row.label ?? undefined }
      : null;
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(hash, { principal, expiresMs: now + CACHE_TTL_MS });
    return principal;
  }

  async list(): Promise<Array<Principal & { createdAt: string; revokedAt: string | null }>> {
    const res = await this.db.query<{ id: string; role: Role; vehicle_id: string | null; label: string | null; created_at: Date; revoked_at: Date | null }>(
      'select id, role, vehicle_id, label, created_at, revoked_at from api_tokens order by created_at, id',
    );
    return res.rows.map((r) => ({
      tokenId: r.id, role: r.role, vehicleId: r.vehicle_id ?? undefined, label: r.label ?? undefined,
      createdAt: new Date(r.created_at).toISOString(), revokedAt: r.revoked_at ? new Date(r.revoked_at).toISOString() : null,
    }));
  }

  async revoke(tokenId: string): Promise<boolean> {
    const res = await this.db.query('update api_tokens set revoked_at = now() where id = $1 and revoked_at is null', [tokenId]);
    this.cache.clear();
    return res.rowCount > 0;
  }

  async countActive(role?: Role): Promise<number> {
    const res = role
      ? await this.db.query<{ n: number }>('select count(*)::int as n from api_tokens where revoked_at is null and role = $1', [role])
      : await this.db.query<{ n: number }>('select count(*)::int as n from api_tokens where revoked_at is null');
    return res.rows[0]?.n ?? 0;
  }
}

import type { Db, Queryable } from '../store/db.js';
import { newId } from '../store/city-repo.js';
import type { UserRole } from '../domain/principal.js';

/**
 * People who log in: a login name (unique, case-insensitive), a display name, one role,
 * a driver's vehicle, an optional contractor and district. The password is kept only as
 * its scrypt hash (passwords.ts); a disabled user keeps the row (history refers to it)
 * but cannot log in, and their sessions are revoked.
 */
/** What an admin sets on a user (besides the password). */
export interface UserFields {
  name: string;
  displayName: string;
  role: UserRole;
  vehicleId?: string;
  contractor?: string;
  district?: string;
}

/** What a login answer and /auth/me show of a user. */
export interface UserSummary extends UserFields {
  id: string;
}

export interface User extends UserSummary {
  createdAt: string;
  updatedAt: string;
  passwordChangedAt: string;
  disabledAt: string | null;
}

interface UserRow {
  id: string;
  name: string;
  display_name: string;
  role: UserRole;
  vehicle_id: string | null;
  contractor: string | null;
  district: string | null;
  password_hash: string;
  created_at: Date | string;
  updated_at: Date | string;
  password_changed_at: Date | string;
  disabled_at: Date | string | null;
}

const columns = 'id, name, display_name, role, vehicle_id, contractor, district, password_hash, created_at, updated_at, password_changed_at, disabled_at';

export function toUser(r: UserRow): User {
  return {
    id: r.id, name: r.name, displayName: r.display_name, role: r.role,
    ...(r.vehicle_id ? { vehicleId: r.vehicle_id } : {}),
    ...(r.contractor ? { contractor: r.contractor } : {}),
    ...(r.district ? { district: r.district } : {}),
    createdAt: new Date(r.created_at).toISOString(), updatedAt: new Date(r.updated_at).toISOString(),
    passwordChangedAt: new Date(r.password_changed_at).toISOString(),
    disabledAt: r.disabled_at ? new Date(r.disabled_at).toISOString() : null,
  };
}

export function summary(u: User | UserSummary): UserSummary {
  return {
    id: u.id, name: u.name, displayName: u.displayName, role: u.role,
    ...(u.vehicleId ? { vehicleId: u.vehicleId } : {}),
    ...(u.contractor ? { contractor: u.contractor } : {}),
    ...(u.district ? { district: u.district } : {}),
  };
}

export class UserStore {
  constructor(private readonly db: Db) {}

  async create(fields: UserFields, passwordHash: string, q: Queryable = this.db): Promise<User> {
    const res = await q.query<UserRow>(
      `insert into users (id, name, display_name, role, vehicle_id, contractor, district, password_hash)
       values ($1, $2, $3, $4, $5, $6, $7, $8) returning ${columns}`,
      [newId('usr'), fields.name, fields.displayName, fields.role, fields.vehicleId ?? null, fields.contractor ?? null, fields.district ?? null, passwordHash],
    );
    return toUser(res.rows[0]!);
  }

  async get(id: string, q: Queryable = this.db): Promise<User | undefined> {
    const res = await q.query<UserRow>(`select ${columns} from users where id = $1`, [id]);
    return res.rows[0] ? toUser(res.rows[0]) : undefined;
  }

  /** The user with this login name (any case) and their password hash, for login. */
  async findForLogin(name: string): Promise<{ user: User; passwordHash: string } | undefined> {
    const res = await this.db.query<UserRow>(`select ${columns} from users where lower(name) = lower($1)`, [name]);
    const row = res.rows[0];
    return row ? { user: toUser(row), passwordHash: row.password_hash } : undefined;
  }

  async passwordHash(id: string): Promise<string | undefined> {
    const res = await this.db.query<{ password_hash: string }>('select password_hash from users where id = $1', [id]);
    return res.rows[0]?.password_hash;
  }

  async list(filter: { role?: UserRole; includeDisabled?: boolean } = {}): Promise<User[]> {
    const res = await this.db.query<UserRow>(
      `select ${columns} from users
       where ($1::text is null or role = $1) and ($2::boolean or disabled_at is null)
       order by lower(name)`,
      [filter.role ?? null, filter.includeDisabled ?? false],
    );
    return res.rows.map(toUser);
  }

  async update(id: string, fields: UserFields, q: Queryable = this.db): Promise<User | undefined> {
    const res = await q.query<UserRow>(
      `update users set name = $2, display_name = $3, role = $4, vehicle_id = $5, contractor = $6, district = $7, updated_at = now()
       where id = $1 returning ${columns}`,
      [id, fields.name, fields.displayName, fields.role, fields.vehicleId ?? null, fields.contractor ?? null, fields.district ?? null],
    );
    return res.rows[0] ? toUser(res.rows[0]) : undefined;
  }

  async setPassword(id: string, passwordHash: string, q: Queryable = this.db): Promise<void> {
    await q.query('update users set password_hash = $2, password_changed_at = now(), updated_at = now() where id = $1', [id, passwordHash]);
  }

  async setDisabled(id: string, disabled: boolean, q: Queryable = this.db): Promise<void> {
    await q.query(
      `update users set disabled_at = case when $2 then coalesce(disabled_at, now()) else null end, updated_at = now() where id = $1`,
      [id, disabled],
    );
  }

  /** Admins who can still log in, optionally leaving one out (the one about to change). */
  async countActiveAdmins(exceptId?: string, q: Queryable = this.db): Promise<number> {
    const res = await q.query<{ n: number }>(
      "select count(*)::int as n from users where role = 'admin' and disabled_at is null and ($1::text is null or id <> $1)",
      [exceptId ?? null],
    );
    return res.rows[0]?.n ?? 0;
  }

  async count(): Promise<number> {
    const res = await this.db.query<{ n: number }>('select count(*)::int as n from users');
    return res.rows[0]?.n ?? 0;
  }
}

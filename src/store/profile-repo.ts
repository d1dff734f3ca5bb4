import { cityProfileSchema, type CityProfile } from '../domain/city-profile.js';
import type { Db, Queryable } from './db.js';

/** The city profile lives in the store (one row) so every instance plans by the same rules. */
export class ProfileRepo {
  private current: CityProfile | undefined;
  private readonly listeners: Array<(profile: CityProfile) => void> = [];

  constructor(private readonly db: Db) {}

  /** The stored profile, re-validated (defaults added by newer code fill in). */
  async load(): Promise<CityProfile | undefined> {
    const res = await this.db.query<{ doc: unknown }>('select doc from city_profile where id = 1');
    if (!res.rows[0]) return undefined;
    this.current = cityProfileSchema.parse(res.rows[0].doc);
    return this.current;
  }

  async save(profile: CityProfile, q: Queryable = this.db): Promise<void> {
    await q.query(
      `insert into city_profile (id, doc) values (1, $1::jsonb)
       on conflict (id) do update set doc = excluded.doc, updated_at = now()`,
      [JSON.stringify(profile)],
    );
  }

  /** Call after a committed save so readers see it. */
  use(profile: CityProfile): void {
    this.current = profile;
    for (const listener of this.listeners) listener(profile);
  }

  /** Called after each `use` (e.g. the nightly plan follows a new time). */
  onChange(listener: (profile: CityProfile) => void): void {
    this.listeners.push(listener);
  }

  get(): CityProfile {
    if (!this.current) throw new Error('city profile not loaded');
    return this.current;
  }
}

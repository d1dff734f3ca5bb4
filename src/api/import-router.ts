import { z } from 'zod';
import { cityProfileSchema } from '../domain/city-profile.js';
import { deviceKeyClashes } from '../domain/terminal-id.js';
import type { Db } from '../store/db.js';
import { newId, RecordWriteError, type CityRepo } from '../store/city-repo.js';
import { boundDeviceKeys, describeKey, lockDeviceKeys } from '../store/device-keys.js';
import type { ProfileRepo } from '../store/profile-repo.js';
import { resourceOrder, resources } from '../store/resources.js';
import { cityDocumentEnvelope, importKeys } from '../store/city-document.js';
import { consistencyIssues } from './city-router.js';
import { ApiError, fromDatabaseError, zodDetails, type ErrorDetail } from './errors.js';
import type { ApiRoutes } from './routes.js';

type Doc = Record<string, any>;

export interface ImportResult {
  mode: 'merge' | 'replace';
  counts: Record<string, number>;
}

/**
 * Imports a whole city in one transaction. Everything is validated first — shapes,
 * duplicate ids, references resolved against the batch and (when merging) the store —
 * and every problem is reported with its path; only a clean document is written, and a
 * refusal by the database mid-way rolls everything back.
 */
export async function importCity(db: Db, repo: CityRepo, profiles: ProfileRepo, input: unknown): Promise<ImportResult> {
  const env = cityDocumentEnvelope.safeParse(input);
  if (!env.success) throw new ApiError(400, 'invalid city document', zodDetails(env.error, 'body'));
  const doc = env.data as Record<string, unknown> & { mode: 'merge' | 'replace'; profile?: unknown };
  const errors: ErrorDetail[] = [];

  let profile = profiles.get();
  if (doc.profile !== undefined) {
    const p = cityProfileSchema.safeParse(doc.profile);
    if (p.success) profile = p.data;
    else errors.push(...zodDetails(p.error, 'body.profile'));
  }

  const batch = new Map<string, Map<string, Doc>>();
  const positions = new Map<string, Map<string, number>>();
  for (const name of resourceOrder) {
    const def = resources[name];
    const key = importKeys[name];
    const items = (doc[key] as unknown[] | undefined) ?? [];
    const byId = new Map<string, Doc>();
    const indexById = new Map<string, number>();
    items.forEach((item, i) => {
      const r = def.schema.safeParse(item);
      if (!r.success) {
        errors.push(...zodDetails(r.error, `body.${key}.${i}`));
        return;
      }
      const rec = { ...r.data, id: r.data.id ?? newId(def.idPrefix) };
      if (byId.has(rec.id)) {
        errors.push({ path: `body.${key}.${i}.id`, message: `id "${rec.id}" repeats item ${indexById.get(rec.id)}` });
        return;
      }
      byId.set(rec.id, rec);
      indexById.set(rec.id, i);
    });
    batch.set(name, byId);
    positions.set(name, indexById);
  }
  if (errors.length > 0) throw new ApiError(400, 'invalid city document', errors);

  // One terminal or device id (canonical) per vehicle, in the batch and (merging) against the store.
  const vehicleKey = importKeys.vehicles;
  const batchVehicles = [...batch.get('vehicles')!.values()];
  const vehicleIndex = (v: Doc) => positions.get('vehicles')!.get(v.id)!;
  for (const c of deviceKeyClashes(batchVehicles)) {
    errors.push({
      path: `body.${vehicleKey}.${vehicleIndex(batchVehicles[c.index]!)}.${c.field}`,
      message: `${describeKey(c.field, c.key)} is also the ${c.otherField} of item ${vehicleIndex(batchVehicles[c.otherIndex]!)} (leading zeros do not count)`,
    });
  }
  if (errors.length > 0) throw new ApiError(409, 'conflict', errors);

  const counts: Record<string, number> = {};
  await db.transaction(async (tx) => {
    if (doc.mode === 'replace') {
      for (const name of [...resourceOrder].reverse()) await tx.query(`delete from ${resources[name].table}`);
    }
    if (batchVehicles.length > 0) {
      await lockDeviceKeys(tx);
      // Vehicles of the batch replace their stored selves, so only the others can hold a key.
      const replaced = batchVehicles.map((v) => v.id as string);
      for (const b of await boundDeviceKeys(tx, batchVehicles, replaced)) {
        errors.push({
          path: `body.${vehicleKey}.${vehicleIndex(batchVehicles[b.index]!)}.${b.field}`,
          message: `${describeKey(b.field, b.key)} is already bound to vehicle "${b.vehicleId}" (its ${b.vehicleField}; leading zeros do not count)`,
        });
      }
      if (errors.length > 0) throw new ApiError(409, 'conflict', errors);
      // Two vehicles of the batch may swap ids: unbind the stored ones first so the unique
      // columns never see both at once while the batch is written in order.
      await tx.query('update vehicles set terminal_id = null, device_id = null where id = any($1::text[])', [replaced]);
    }
    // References: against the batch first, then (merge) what the store already holds.
    for (const name of resourceOrder) {
      const def = resources[name];
      for (const [id, rec] of batch.get(name)!) {
        const issues = await consistencyIssues(def, rec, repo, tx, profile, batch);
        const i = positions.get(name)!.get(id);
        for (const issue of issues) errors.push({ path: `body.${importKeys[name]}.${i}.${issue.path}`, message: issue.message });
      }
    }
    if (errors.length > 0) throw new ApiError(422, 'inconsistent city document', errors);
    for (const name of resourceOrder) {
      const def = resources[name];
      const records = [...batch.get(name)!.values()] as Array<Doc & { id: string }>;
      try {
        await repo.writeMany(def, records, 'upsert', tx);
      } catch (err) {
        if (!(err instanceof RecordWriteError)) throw err;
        const i = positions.get(name)!.get(records[err.index]!.id);
        throw fromDatabaseError(err.cause, `body.${importKeys[name]}.${i}`) ?? err.cause;
      }
      counts[importKeys[name]] = batch.get(name)!.size;
    }
    if (doc.profile !== undefined) await profiles.save(profile, tx);
  });
  if (doc.profile !== undefined) profiles.use(profile);
  return { mode: doc.mode, counts };
}

export function addImportRoute(api: ApiRoutes, deps: {
  db: Db; repo: CityRepo; profiles: ProfileRepo; bodyLimitBytes: number;
  /** Told after a committed import. */
  onChange?: () => Promise<void> | void;
  /** Told when an import begins and when it ends, whatever its outcome (the map holds its background reads meanwhile). */
  onStart?: () => void;
  onEnd?: () => void;
}): void {
  api.add({
    method: 'post', path: '/import', roles: ['admin'], bodyLimitBytes: deps.bodyLimitBytes,
    summary: 'Import a whole city (GeoJSON geometries) in one transaction: all or nothing, every error listed with its path; mode merge (default) or replace',
    body: z.unknown(),
    handler: async ({ body }) => {
      deps.onStart?.();
      try {
        const result = await importCity(deps.db, deps.repo, deps.profiles, body);
        await deps.onChange?.();
        return result;
      } finally {
        deps.onEnd?.();
      }
    },
  });
}

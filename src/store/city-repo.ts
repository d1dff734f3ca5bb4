import { randomBytes } from 'node:crypto';
import type { Db, Queryable } from './db.js';
import { statementChunks, valuesPlaceholders } from './multi-row.js';
import { boundingBox, type FilterSpec, type ResourceDef } from './resources.js';

export interface ListOptions {
  /** filter name (from the resource's filters) → value */
  filters: Record<string, string | number>;
  bbox?: [number, number, number, number];
  limit: number;
  offset: number;
  /** Narrowing imposed by the caller (a driver sees only their vehicle; a district dispatcher their district's); all must hold. */
  scope?: Array<{ filter: FilterSpec | { kind: 'id' }; value: string }>;
}

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

type Doc = Record<string, any>;

export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(6).toString('base64url')}`;
}

/** Rows of the city model, over either store; writes take an optional transaction. */
export class CityRepo {
  constructor(private readonly db: Db) {}

  async list(def: ResourceDef, opts: ListOptions, q: Queryable = this.db): Promise<Page<Doc>> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (spec: FilterSpec | { kind: 'id' }, value: unknown): void => {
      if (spec.kind === 'id') {
        params.push(value);
        where.push(`id = $${params.length}`);
      } else if (spec.kind === 'column') {
        params.push(value);
        where.push(`${spec.column} = $${params.length}`);
      } else if (spec.kind === 'jsonArrayContains') {
        params.push(JSON.stringify([value]));
        where.push(`doc->'${spec.field}' @> $${params.length}::jsonb`);
      } else if (spec.kind === 'jsonText') {
        params.push(value);
        where.push(`doc->>'${spec.field}' = $${params.length}`);
      }
    };
    for (const [name, value] of Object.entries(opts.filters)) {
      const spec = def.filters[name];
      if (spec) add(spec, value);
    }
    for (const s of opts.scope ?? []) add(s.filter, s.value);
    if (opts.bbox) {
      const [minLon, minLat, maxLon, maxLat] = opts.bbox;
      params.push(minLon, minLat, maxLon, maxLat);
      const n = params.length;
      where.push(`max_lon >= $${n - 3} and max_lat >= $${n - 2} and min_lon <= $${n - 1} and min_lat <= $${n}`);
    }
    const whereSql = where.length ? `where ${where.join(' and ')}` : '';
    params.push(opts.limit, opts.offset);
    const res = await q.query<{ doc: Doc; total: string | number }>(
      `select doc, count(*) over () as total from ${def.table} ${whereSql} order by id limit $${params.length - 1} offset $${params.length}`,
      params,
    );
    let total = Number(res.rows[0]?.total ?? 0);
    if (res.rows.length === 0 && opts.offset > 0) {
      const count = await q.query<{ n: string | number }>(`select count(*) as n from ${def.table} ${whereSql}`, params.slice(0, -2));
      total = Number(count.rows[0]?.n ?? 0);
    }
    return { items: res.rows.map((r) => r.doc), total, limit: opts.limit, offset: opts.offset };
  }

  async get(def: ResourceDef, id: string, q: Queryable = this.db): Promise<Doc | undefined> {
    const res = await q.query<{ doc: Doc }>(`select doc from ${def.table} where id = $1`, [id]);
    return res.rows[0]?.doc;
  }

  async exists(def: ResourceDef, id: string, q: Queryable = this.db): Promise<boolean> {
    const res = await q.query(`select 1 from ${def.table} where id = $1`, [id]);
    return res.rows.length > 0;
  }

  /**
   * Writes a validated record. `mode: 'insert'` fails on an existing id (409 upstream);
   * 'upsert' replaces it.
   */
  async write(def: ResourceDef, doc: Doc & { id: string }, mode: 'insert' | 'upsert', q: Queryable = this.db): Promise<void> {
    const { names, values } = rowOf(def, doc);
    await q.query(insertSql(def, names, 1, mode), values);
    if (def.name === 'permits') await this.writePermitVehicles([doc], q);
  }

  /**
   * Writes many validated records of one kind, a few hundred rows per statement: a city import
   * of 25,000 records took 25,000 statements, most of a demo start's store time. Runs inside a
   * transaction (it uses a savepoint): when a statement fails, its rows are written again one by
   * one, so the error names the record that caused it (RecordWriteError.index).
   */
  async writeMany(def: ResourceDef, docs: Array<Doc & { id: string }>, mode: 'insert' | 'upsert', q: Queryable): Promise<void> {
    // Rows with and without a bounding box have different columns: one statement per shape.
    const shapes = new Map<string, Array<{ index: number; values: unknown[]; names: string[] }>>();
    docs.forEach((doc, index) => {
      const row = rowOf(def, doc);
      const key = row.names.join(',');
      if (!shapes.has(key)) shapes.set(key, []);
      shapes.get(key)!.push({ index, ...row });
    });
    for (const rows of shapes.values()) {
      const names = rows[0]!.names;
      for (const chunk of statementChunks(rows, names.length)) {
        await q.query('savepoint city_write_many');
        try {
          await q.query(insertSql(def, names, chunk.length, mode), chunk.flatMap((r) => r.values));
          await q.query('release savepoint city_write_many');
        } catch (err) {
          await q.query('rollback to savepoint city_write_many');
          for (const r of chunk) {
            try {
              await q.query(insertSql(def, names, 1, mode), r.values);
            } catch (rowErr) {
              throw new RecordWriteError(r.index, rowErr);
            }
          }
          throw err;
        }
      }
    }
    if (def.name === 'permits') await this.writePermitVehicles(docs, q);
  }

  private async writePermitVehicles(permits: Doc[], q: Queryable): Promise<void> {
    if (permits.length === 0) return;
    await q.query('delete from permit_vehicles where permit_id = any($1::text[])', [permits.map((p) => p.id)]);
    const pairs = permits.flatMap((p) => (p.vehicleIds as string[]).map((vehicleId) => [p.id as string, vehicleId]));
    if (pairs.length === 0) return;
    await q.query(
      'insert into permit_vehicles (permit_id, vehicle_id) select * from unnest($1::text[], $2::text[])',
      [pairs.map((x) => x[0]), pairs.map((x) => x[1])],
    );
  }

  async remove(def: ResourceDef, id: string, q: Queryable = this.db): Promise<boolean> {
    const res = await q.query(`delete from ${def.table} where id = $1`, [id]);
    return res.rowCount > 0;
  }

  async count(def: ResourceDef, q: Queryable = this.db): Promise<number> {
    const res = await q.query<{ n: string | number }>(`select count(*) as n from ${def.table}`);
    return Number(res.rows[0]?.n ?? 0);
  }
}

/** A record of a batch could not be written: `index` is its place in the batch given to writeMany. */
export class RecordWriteError extends Error {
  constructor(readonly index: number, override readonly cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = 'RecordWriteError';
  }
}

function rowOf(def: ResourceDef, doc: Doc & { id: string }): { names: string[]; values: unknown[] } {
  const geometries = def.geometries(doc);
  const box = boundingBox(geometries);
  const cols: Record<string, unknown> = { id: doc.id, ...def.columns(doc), doc: JSON.stringify(doc) };
  if (geometries.length > 0 || box) {
    Object.assign(cols, { min_lon: box?.[0] ?? null, min_lat: box?.[1] ?? null, max_lon: box?.[2] ?? null, max_lat: box?.[3] ?? null });
  }
  return { names: Object.keys(cols), values: Object.values(cols) };
}

function insertSql(def: ResourceDef, names: string[], rowCount: number, mode: 'insert' | 'upsert'): string {
  const values = valuesPlaceholders(rowCount, names.length, { [names.indexOf('doc')]: '::jsonb' });
  const updates = names.filter((n) => n !== 'id').map((n) => `${n} = excluded.${n}`).concat('updated_at = now()');
  const conflict = mode === 'upsert' ? ` on conflict (id) do update set ${updates.join(', ')}` : '';
  return `insert into ${def.table} (${names.join(', ')}) values ${values}${conflict}`;
}

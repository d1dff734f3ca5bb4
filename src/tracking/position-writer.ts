import type { Fix } from '../domain/fix.js';
import type { Db } from '../store/db.js';

/**
 * Appends fixes to the position log with group commit: while one transaction is being
 * committed, later submissions queue up and go together in the next one. A submission's
 * promise resolves only after its transaction has committed — that is the moment a
 * device may be acknowledged. Duplicates (same vehicle and fix time) are dropped by the
 * table's key and reported, so a terminal resending a batch is harmless.
 */
export interface StoredFix extends Fix {
  vehicleId: string;
}

export interface WriteResult {
  /** Fixes that were new to the log, in submission order. */
  inserted: StoredFix[];
  duplicates: number;
}

interface Pending {
  fixes: StoredFix[];
  resolve: (r: WriteResult) => void;
  reject: (e: unknown) => void;
}

export class QueueFullError extends Error {
  constructor() {
    super('the position log is behind: try again shortly');
  }
}

export interface PositionWriterOptions {
  /** Rows per transaction at most. */
  maxBatchRows?: number;
  /** Fixes waiting beyond this are refused (HTTP answers 503; TCP readers pause well before). */
  maxQueuedRows?: number;
  /** Called after each commit with what it made durable. */
  onCommitted?: (inserted: StoredFix[]) => void;
}

const COLUMNS = [
  'vehicle_id', 'fix_time', 'lat', 'lon', 'speed_kmh', 'heading_deg', 'altitude_m', 'positioned', 'acc_on', 'load_state',
  'cover_closed', 'body_lifted', 'load_kg', 'alarm_word', 'status_word', 'odometer_m', 'satellites', 'source', 'blind_area',
  'alarms', 'attributes',
] as const;
const TYPES = [
  'text', 'timestamptz', 'float8', 'float8', 'float4', 'float4', 'float4', 'bool', 'bool', 'text',
  'bool', 'bool', 'float4', 'int8', 'int8', 'float8', 'int2', 'text', 'bool', 'text', 'text',
];

// unnest() of one array per column: any number of rows in one statement, no 65,535-parameter ceiling.
const INSERT_SQL = `insert into positions (${COLUMNS.join(', ')})
  select c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15, c16, c17, c18,
         case when c19 = '' then '{}'::text[] else string_to_array(c19, ',') end, c20::jsonb
  from unnest(${TYPES.map((t, i) => `$${i + 1}::${t}[]`).join(', ')})
    as u(${COLUMNS.map((_, i) => `c${i}`).join(', ')})
  on conflict (vehicle_id, fix_time) do nothing
  returning vehicle_id, fix_time`;

export class PositionWriter {
  private queue: Pending[] = [];
  private queuedRows = 0;
  private flushing = false;
  private readonly maxBatchRows: number;
  private readonly maxQueuedRows: number;
  private idleWaiters: Array<() => void> = [];
  committedRows = 0;
  transactions = 0;

  constructor(private readonly db: Db, private readonly options: PositionWriterOptions = {}) {
    this.maxBatchRows = options.maxBatchRows ?? 5000;
    this.maxQueuedRows = options.maxQueuedRows ?? 200_000;
  }

  get backlogRows(): number {
    return this.queuedRows;
  }

  write(fixes: StoredFix[]): Promise<WriteResult> {
    if (fixes.length === 0) return Promise.resolve({ inserted: [], duplicates: 0 });
    if (this.queuedRows + fixes.length > this.maxQueuedRows) return Promise.reject(new QueueFullError());
    return new Promise<WriteResult>((resolve, reject) => {
      this.queue.push({ fixes, resolve, reject });
      this.queuedRows += fixes.length;
      if (!this.flushing) {
        this.flushing = true;
        // Start on the next turn of the event loop, not now: every socket read in this turn
        // queues its fixes first. PGlite runs a statement without yielding, so a commit
        // started at once would take one submission and block the reads of all the others.
        setImmediate(() => void this.flushLoop());
      }
    });
  }

  /** Resolves when everything submitted so far is committed (shutdown). */
  drain(): Promise<void> {
    if (!this.flushing && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private async flushLoop(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        const batch: Pending[] = [];
        let rows = 0;
        while (this.queue.length > 0 && (batch.length === 0 || rows + this.queue[0]!.fixes.length <= this.maxBatchRows)) {
          const p = this.queue.shift()!;
          batch.push(p);
          rows += p.fixes.length;
        }
        try {
          await this.commit(batch);
        } finally {
          // Counted until committed: rows in flight hold memory too.
          this.queuedRows -= rows;
        }
      }
    } finally {
      this.flushing = false;
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  private async commit(batch: Pending[]): Promise<void> {
    // Within one statement a key may appear once: keep the first of each (vehicle, time).
    const seen = new Set<string>();
    const rows: StoredFix[] = [];
    for (const p of batch) for (const f of p.fixes) {
      const key = `${f.vehicleId}\u0000${f.fixTimeMs}`;
      if (seen.has(key)) continue;
      seen.add(key);
      rows.push(f);
    }
    let insertedKeys: Set<string>;
    try {
      const cols: unknown[][] = COLUMNS.map(() => new Array(rows.length));
      rows.forEach((f, i) => {
        cols[0]![i] = f.vehicleId; cols[1]![i] = new Date(f.fixTimeMs).toISOString(); cols[2]![i] = f.lat; cols[3]![i] = f.lon;
        cols[4]![i] = f.speedKmh; cols[5]![i] = f.headingDeg; cols[6]![i] = f.altitudeM; cols[7]![i] = f.positioned;
        cols[8]![i] = f.accOn ?? null; cols[9]![i] = f.loadState ?? null; cols[10]![i] = f.coverClosed ?? null;
        cols[11]![i] = f.bodyLifted ?? null; cols[12]![i] = f.loadKg ?? null; cols[13]![i] = f.alarmWord ?? null;
        cols[14]![i] = f.statusWord ?? null; cols[15]![i] = f.odometerM ?? null; cols[16]![i] = f.satellites ?? null;
        cols[17]![i] = f.source; cols[18]![i] = f.blindArea ?? false; cols[19]![i] = f.alarms.join(',');
        cols[20]![i] = f.attributes ? JSON.stringify(f.attributes) : null;
      });
      const res = await this.db.query<{ vehicle_id: string; fix_time: Date | string }>(INSERT_SQL, cols);
      insertedKeys = new Set(res.rows.map((r) => `${r.vehicle_id}\u0000${new Date(r.fix_time).getTime()}`));
      this.transactions++;
      this.committedRows += insertedKeys.size;
    } catch (err) {
      for (const p of batch) p.reject(err);
      return;
    }
    const allInserted: StoredFix[] = [];
    for (const p of batch) {
      const inserted: StoredFix[] = [];
      for (const f of p.fixes) {
        const key = `${f.vehicleId}\u0000${f.fixTimeMs}`;
        if (insertedKeys.delete(key)) inserted.push(f);
      }
      allInserted.push(...inserted);
      p.resolve({ inserted, duplicates: p.fixes.length - inserted.length });
    }
    if (allInserted.length > 0) this.options.onCommitted?.(allInserted);
  }
}

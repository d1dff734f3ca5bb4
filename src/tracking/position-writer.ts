import type { Logger } from 'pino';
import type { Fix } from '../domain/fix.js';
import { silentLogger } from '../logger.js';
import type { Db } from '../store/db.js';

/**
 * Appends fixes to the position log with group commit: while one transaction is being
 * committed, later submissions queue up and go together in the next one. A submission's
 * promise resolves only after its transaction has committed — that is the moment a
 * device may be acknowledged. Duplicates (same vehicle and fix time) are dropped by the
 * table's key and reported, so a terminal resending a batch is harmless.
 *
 * One fix the store refuses (a value validation did not foresee) must not refuse the
 * others committed with it: a batch whose insert fails is split in halves and each half
 * retried, down to the single rows the store refuses. Only those are answered as refused;
 * every other row commits. When the store itself is unavailable, nothing is split: the
 * submissions are rejected whole and their devices resend.
 */
export interface StoredFix extends Fix {
  vehicleId: string;
  /** Set by the writer's judge before insert: the speed implied from the previous plausible fix is beyond the city's limit. */
  implausible?: boolean;
}

export interface WriteResult {
  /** Fixes that were new to the log, in submission order. */
  inserted: StoredFix[];
  duplicates: number;
  /** Fixes the store refused (the rest of the submission is committed): index in the submission, the store's error. */
  refused: Array<{ index: number; code?: string; message: string }>;
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
  /** Called with each batch, in commit order, before its insert: sets `implausible` on its rows. */
  judge?: (rows: StoredFix[]) => Promise<void>;
  logger?: Logger;
}

const COLUMNS = [
  'vehicle_id', 'fix_time', 'lat', 'lon', 'speed_kmh', 'heading_deg', 'altitude_m', 'positioned', 'acc_on', 'load_state',
  'cover_closed', 'body_lifted', 'load_kg', 'alarm_word', 'status_word', 'odometer_m', 'satellites', 'source', 'blind_area',
  'alarms', 'attributes', 'implausible', 'working',
] as const;
const TYPES = [
  'text', 'timestamptz', 'float8', 'float8', 'float4', 'float4', 'float4', 'bool', 'bool', 'text',
  'bool', 'bool', 'float4', 'int8', 'int8', 'float8', 'int2', 'text', 'bool', 'text', 'text', 'bool', 'bool',
];

/**
 * A row's alarms as a PostgreSQL array literal ({"sos,overspeed","x"}): each element quoted, so a
 * comma, brace or quote inside an alarm stays inside it — the alarms are stored exactly as sent.
 */
function textArrayLiteral(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`).join(',')}}`;
}

// unnest() of one array per column: any number of rows in one statement, no 65,535-parameter ceiling.
const INSERT_SQL = `insert into positions (${COLUMNS.join(', ')})
  select c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15, c16, c17, c18,
         c19::text[], c20::jsonb, c21, c22
  from unnest(${TYPES.map((t, i) => `$${i + 1}::${t}[]`).join(', ')})
    as u(${COLUMNS.map((_, i) => `c${i}`).join(', ')})
  on conflict (vehicle_id, fix_time) do nothing
  returning vehicle_id, fix_time`;

/** SQLSTATE classes that say the store, not a row, failed: connection, resources, operator, system, rollback. */
const UNAVAILABLE_CLASSES = new Set(['08', '53', '57', '58', '40']);

/** True when an error is about the store or its connection (node's ECONNRESET and the like), never about a row. */
function isStoreUnavailable(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return false;
  return /^E[A-Z]+$/.test(code) || (code.length === 5 && UNAVAILABLE_CLASSES.has(code.slice(0, 2)));
}

const keyOf = (f: StoredFix): string => `${f.vehicleId}\u0000${f.fixTimeMs}`;

interface StoreRefusal {
  code?: string;
  message: string;
}

interface InsertOutcome {
  insertedKeys: Set<string>;
  refused: Map<string, StoreRefusal>;
  /** Rows not committed because the store failed (not their fault), with the error. */
  failedKeys: Set<string>;
  failure?: unknown;
}

export class PositionWriter {
  private queue: Pending[] = [];
  private queuedRows = 0;
  private flushing = false;
  private readonly maxBatchRows: number;
  private readonly maxQueuedRows: number;
  private idleWaiters: Array<() => void> = [];
  private readonly logger: Logger;
  committedRows = 0;
  transactions = 0;
  /** Rows the store refused, each isolated from its batch. */
  refusedRows = 0;

  constructor(private readonly db: Db, private readonly options: PositionWriterOptions = {}) {
    this.maxBatchRows = options.maxBatchRows ?? 5000;
    this.maxQueuedRows = options.maxQueuedRows ?? 200_000;
    this.logger = options.logger ?? silentLogger;
  }

  get backlogRows(): number {
    return this.queuedRows;
  }

  write(fixes: StoredFix[]): Promise<WriteResult> {
    if (fixes.length === 0) return Promise.resolve({ inserted: [], duplicates: 0, refused: [] });
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
      const key = keyOf(f);
      if (seen.has(key)) continue;
      seen.add(key);
      rows.push(f);
    }
    if (this.options.judge) {
      try {
        await this.options.judge(rows);
      } catch (err) {
        // Judging reads the log: a store that fails here fails the insert too. Nothing is written; devices resend.
        this.logger.warn({ err, rows: rows.length }, 'position log: the store failed before the insert; fixes not committed');
        for (const p of batch) p.reject(err);
        return;
      }
    }
    const outcome = await this.insertIsolating(rows);
    if (outcome.failure !== undefined && outcome.insertedKeys.size === 0 && outcome.refused.size === 0) {
      // Nothing of the batch was written: the common way a store fails, answered without a look at each row.
      this.logger.warn({ err: outcome.failure, rows: rows.length }, 'position log: the store failed; fixes not committed (their devices resend)');
      for (const p of batch) p.reject(outcome.failure);
      return;
    }
    this.committedRows += outcome.insertedKeys.size;
    this.refusedRows += outcome.refused.size;
    if (outcome.refused.size > 0) {
      const codes: Record<string, number> = {};
      for (const r of outcome.refused.values()) codes[r.code ?? 'none'] = (codes[r.code ?? 'none'] ?? 0) + 1;
      const first = outcome.refused.values().next().value!;
      this.logger.warn({ refused: outcome.refused.size, committed: outcome.insertedKeys.size, codes, firstError: first.message },
        'position log: fixes refused by the store were set apart; the rest of their batch committed');
    }
    if (outcome.failure !== undefined) {
      this.logger.warn({ err: outcome.failure, rows: outcome.failedKeys.size }, 'position log: the store failed; fixes not committed (their devices resend)');
    }
    const allInserted: StoredFix[] = [];
    for (const p of batch) {
      const inserted: StoredFix[] = [];
      const refused: WriteResult['refused'] = [];
      let failed = false;
      p.fixes.forEach((f, index) => {
        const key = keyOf(f);
        if (outcome.insertedKeys.delete(key)) inserted.push(f);
        else if (outcome.failedKeys.has(key)) failed = true;
        else {
          const refusal = outcome.refused.get(key);
          if (refusal) refused.push({ index, ...refusal });
        }
      });
      allInserted.push(...inserted);
      // A submission with a row the store could not take is not acknowledged: its device resends, the committed rows turn duplicates.
      if (failed) p.reject(outcome.failure);
      else p.resolve({ inserted, duplicates: p.fixes.length - inserted.length - refused.length, refused });
    }
    if (allInserted.length > 0) this.options.onCommitted?.(allInserted);
  }

  /** Inserts the rows, splitting a failing batch in halves until the rows the store refuses stand alone. */
  private async insertIsolating(rows: StoredFix[]): Promise<InsertOutcome> {
    const outcome: InsertOutcome = { insertedKeys: new Set(), refused: new Map(), failedKeys: new Set() };
    // Built once: the halves are slices of these arrays, not new serializations.
    const { cols, kept, unserializable } = columnsOf(rows);
    for (const { fix, err } of unserializable) outcome.refused.set(keyOf(fix), refusalOf(err));
    const fail = (err: unknown, lo: number, hi: number) => {
      outcome.failure ??= err;
      // The whole batch failing is answered as a whole (commit), without a key per row.
      if (hi - lo < kept.length) for (let i = lo; i < hi; i++) outcome.failedKeys.add(keyOf(kept[i]!));
    };
    const visit = async (lo: number, hi: number): Promise<void> => {
      if (outcome.failure !== undefined) return fail(outcome.failure, lo, hi);
      try {
        const params = lo === 0 && hi === kept.length ? cols : cols.map((c) => c.slice(lo, hi));
        for (const key of await this.insert(params)) outcome.insertedKeys.add(key);
      } catch (err) {
        if (isStoreUnavailable(err)) return fail(err, lo, hi);
        // Splitting a batch the store cannot take at all would only repeat the error: ask first (once, at the top).
        if ((hi - lo === kept.length || hi - lo === 1) && !(await this.statementWorks())) return fail(err, lo, hi);
        if (hi - lo === 1) {
          // The store answers and the statement is sound, yet refuses this row: the row is the culprit.
          outcome.refused.set(keyOf(kept[lo]!), refusalOf(err));
          return;
        }
        const mid = lo + ((hi - lo) >> 1);
        await visit(lo, mid);
        await visit(mid, hi);
      }
    };
    if (kept.length > 0) await visit(0, kept.length);
    return outcome;
  }

  /** One statement, committed on its own; returns the keys of the rows that were new. */
  private async insert(cols: unknown[][]): Promise<string[]> {
    const res = await this.db.query<{ vehicle_id: string; fix_time: Date | string }>(INSERT_SQL, cols);
    this.transactions++;
    return res.rows.map((r) => `${r.vehicle_id}\u0000${new Date(r.fix_time).getTime()}`);
  }

  /** The insert with no rows: whether the store answers and the statement itself is sound. */
  private async statementWorks(): Promise<boolean> {
    try {
      await this.db.query(INSERT_SQL, COLUMNS.map(() => []));
      return true;
    } catch {
      return false; // the caller reports the insert's own error, which is the one that matters
    }
  }
}

function refusalOf(err: unknown): StoreRefusal {
  const e = err as { code?: unknown; message?: unknown } | null;
  return { code: typeof e?.code === 'string' ? e.code : undefined, message: String(e?.message ?? err) };
}

/** One array per column; a row that cannot even be serialized is set apart with its error. */
function columnsOf(rows: StoredFix[]): { cols: unknown[][]; kept: StoredFix[]; unserializable: Array<{ fix: StoredFix; err: unknown }> } {
  const cols: unknown[][] = COLUMNS.map(() => new Array(rows.length));
  const kept: StoredFix[] = [];
  const unserializable: Array<{ fix: StoredFix; err: unknown }> = [];
  let i = 0;
  for (const f of rows) {
    try {
      cols[0]![i] = f.vehicleId; cols[1]![i] = new Date(f.fixTimeMs).toISOString(); cols[2]![i] = f.lat; cols[3]![i] = f.lon;
      cols[4]![i] = f.speedKmh; cols[5]![i] = f.headingDeg; cols[6]![i] = f.altitudeM; cols[7]![i] = f.positioned;
      cols[8]![i] = f.accOn ?? null; cols[9]![i] = f.loadState ?? null; cols[10]![i] = f.coverClosed ?? null;
      cols[11]![i] = f.bodyLifted ?? null; cols[12]![i] = f.loadKg ?? null; cols[13]![i] = f.alarmWord ?? null;
      cols[14]![i] = f.statusWord ?? null; cols[15]![i] = f.odometerM ?? null; cols[16]![i] = f.satellites ?? null;
      cols[17]![i] = f.source; cols[18]![i] = f.blindArea ?? false; cols[19]![i] = textArrayLiteral(f.alarms);
      cols[20]![i] = f.attributes ? JSON.stringify(f.attributes) : null; cols[21]![i] = f.implausible ?? false;
      cols[22]![i] = f.working ?? null;
    } catch (err) {
      unserializable.push({ fix: f, err }); // its half-written cells are overwritten by the next row
      continue;
    }
    kept.push(f);
    i++;
  }
  for (const c of cols) c.length = i;
  return { cols, kept, unserializable };
}

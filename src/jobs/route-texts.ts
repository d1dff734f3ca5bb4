import type { Logger } from 'pino';
import { canonicalTerminalId } from '../domain/terminal-id.js';
import { newId } from '../store/city-repo.js';
import type { Db } from '../store/db.js';
import { numberedTextChunks, textMaxBytesOf, type GeneralReply, type TerminalProfiles } from '../ingest/jt808/index.js';
import { storedPlan, vehicleRoute } from '../planning/driver-route.js';
import { routeText } from '../planning/route-text.js';
import iconv from 'iconv-lite';

/**
 * A published plan's routes as text to the in-cab terminals (JT/T 808 0x8300).
 *
 * Publishing writes every chunk as a row 'queued' (migration 10). A terminal that is connected
 * gets its chunks at once, in order, one at a time: each waits for the terminal's 0x0001
 * before the next goes, and the reply (result, the serial it answers) is stored with the chunk.
 * A terminal that is not connected keeps its chunks queued until it authenticates (or, with
 * JT808_TRUST_KNOWN_TERMINALS, sends a position) on this instance; a send that fails (the
 * connection drops, no answer in time) puts the chunk back in the queue for the next
 * connection — after a pause (RETRY_PAUSE_MS) when the terminal stays connected, at once when
 * it connects again — and after MAX_ATTEMPTS sends without an answer the chunk is recorded
 * 'undelivered' (the rest of that plan's text to the terminal too: a text with a hole misleads).
 * Queued chunks of a plan no longer in force (superseded, closed) are cancelled, never sent.
 * A periodic sweep picks up chunks queued by another instance.
 */
export const MAX_ATTEMPTS = 5;
const RETRY_PAUSE_MS = 5 * 60_000;

export interface TerminalGateway {
  isOnline(terminalId: string): boolean;
  sendText(terminalId: string, text: string): Promise<GeneralReply>;
}

export interface RouteTextsOptions {
  db: Db;
  gateway: TerminalGateway;
  profiles: TerminalProfiles;
  logger: Logger;
  /** How often chunks queued elsewhere are looked for; default 30 s. */
  sweepMs?: number;
  now?: () => number;
}

export interface TerminalMessage {
  id: string;
  planId: string;
  vehicleId: string;
  terminalId: string;
  chunk: number;
  chunks: number;
  text: string;
  gbkBytes: number;
  status: 'queued' | 'sent' | 'replied' | 'cancelled' | 'undelivered';
  attempts: number;
  lastError: string | null;
  /** the terminal's 0x0001 result: 0 ok, 1 failure, 2 bad message, 3 unsupported */
  replyResult: number | null;
  replySerial: number | null;
  createdAt: string;
  sentAt: string | null;
  repliedAt: string | null;
}

const iso = (d: unknown): string | null => (d === null || d === undefined ? null : new Date(d as string).toISOString());

export class RouteTexts {
  private readonly flushing = new Map<string, Promise<void>>();
  /** Terminals with chunks waiting (refreshed by the sweep), so a position does not cost a query. */
  private readonly waiting = new Set<string>();
  /** When a send to the terminal last failed on its current connection (no retry on every position). */
  private readonly failedAtMs = new Map<string, number>();
  private readonly timer: ReturnType<typeof setInterval>;
  private closed = false;

  private readonly now: () => number;

  constructor(private readonly options: RouteTextsOptions) {
    this.now = options.now ?? Date.now;
    this.timer = setInterval(() => void this.sweep().catch((err: unknown) => options.logger.warn({ err }, 'route texts: sweep failed')), options.sweepMs ?? 30_000);
    this.timer.unref();
  }

  /**
   * Loads which terminals have chunks waiting and sends to those connected here. A chunk left
   * 'sent' without an answer long after the command timeout (its instance stopped mid-send) is
   * queued again.
   */
  async sweep(): Promise<void> {
    await this.options.db.query(`update terminal_messages set status = 'queued' where status = 'sent' and sent_at < now() - interval '2 minutes'`);
    const res = await this.options.db.query<{ terminal_id: string }>(`select distinct terminal_id from terminal_messages where status = 'queued'`);
    this.waiting.clear();
    for (const r of res.rows) this.waiting.add(r.terminal_id);
    await Promise.all([...this.waiting].filter((t) => this.ready(t)).map((t) => this.flush(t)));
  }

  /** Connected here, and no send to it failed lately. */
  private ready(terminalId: string): boolean {
    const failed = this.failedAtMs.get(terminalId);
    return this.options.gateway.isOnline(terminalId) && (failed === undefined || this.now() - failed >= RETRY_PAUSE_MS);
  }

  /**
   * Queues the plan's route texts (one set per routed vehicle with a terminal) and cancels the
   * queued chunks of the plans it superseded; sends to the connected terminals.
   * Returns the vehicles left without a text (no terminal bound).
   */
  async planPublished(planId: string): Promise<{ queued: number; noTerminal: string[] }> {
    const { db } = this.options;
    const plan = await storedPlan(db, planId);
    if (!plan) return { queued: 0, noTerminal: [] };
    await db.query(`update terminal_messages set status = 'cancelled' where status = 'queued' and plan_id in (select id from plans where superseded_by = $1)`, [planId]);
    const ids = plan.solution.routes.map((r) => r.vehicleId);
    const vehicles = await db.query<{ id: string; doc: { plate?: string; terminalId?: string; terminalModel?: string } }>('select id, doc from vehicles where id = any($1::text[])', [ids]);
    const byId = new Map(vehicles.rows.map((v) => [v.id, v.doc]));
    const noTerminal: string[] = [];
    let queued = 0;
    const terminals = new Set<string>();
    await db.transaction(async (tx) => {
      for (const vehicleId of ids) {
        const doc = byId.get(vehicleId);
        if (!doc?.terminalId) {
          noTerminal.push(vehicleId);
          continue;
        }
        const terminalId = canonicalTerminalId(doc.terminalId);
        const route = vehicleRoute(plan, vehicleId)!;
        const limit = textMaxBytesOf(this.options.profiles.forModel(doc.terminalModel));
        const chunks = numberedTextChunks(routeText(route, doc.plate), limit);
        for (const [i, text] of chunks.entries()) {
          const inserted = await tx.query(
            `insert into terminal_messages (id, plan_id, vehicle_id, terminal_id, chunk_index, chunk_count, text, gbk_bytes, status)
             values ($1, $2, $3, $4, $5, $6, $7, $8, 'queued') on conflict (plan_id, vehicle_id, chunk_index) do nothing`,
            [newId('msg'), planId, vehicleId, terminalId, i, chunks.length, text, iconv.encode(text, 'gbk').length],
          );
          queued += inserted.rowCount;
        }
        terminals.add(terminalId);
      }
    });
    for (const t of terminals) this.waiting.add(t);
    await Promise.all([...terminals].filter((t) => this.ready(t)).map((t) => this.flush(t)));
    if (noTerminal.length) this.options.logger.info({ planId, vehicles: noTerminal }, 'route texts: vehicles without a JT/T 808 terminal get none');
    return { queued, noTerminal };
  }

  /**
   * A terminal is connected: `connected` when it has just authenticated (a new connection: try
   * at once), else it sent a position (try unless a send failed on it lately).
   */
  terminalOnline(terminalId: string, connected = false): void {
    if (connected) this.failedAtMs.delete(terminalId);
    if (!this.waiting.has(terminalId) || this.closed || !this.ready(terminalId)) return;
    void this.flush(terminalId).catch((err: unknown) => this.options.logger.warn({ err, terminalId }, 'route texts: sending failed'));
  }

  /** Sends the terminal's queued chunks in order; one flush per terminal at a time. */
  flush(terminalId: string): Promise<void> {
    const running = this.flushing.get(terminalId);
    if (running) return running;
    const run = this.drain(terminalId).finally(() => this.flushing.delete(terminalId));
    this.flushing.set(terminalId, run);
    return run;
  }

  private async drain(terminalId: string): Promise<void> {
    const { db, gateway, logger } = this.options;
    for (;;) {
      if (this.closed || !gateway.isOnline(terminalId)) return;
      const next = await db.query<{ id: string; text: string; in_force: boolean; attempts: number; plan_id: string; vehicle_id: string }>(
        `select m.id, m.text, m.attempts, m.plan_id, m.vehicle_id, p.status in ('published', 'in_progress') as in_force from terminal_messages m join plans p on p.id = m.plan_id
         where m.terminal_id = $1 and m.status = 'queued' order by m.created_at, m.plan_id, m.chunk_index limit 1`,
        [terminalId],
      );
      const row = next.rows[0];
      if (!row) {
        this.waiting.delete(terminalId);
        return;
      }
      if (!row.in_force) {
        await db.query(`update terminal_messages set status = 'cancelled' where id = $1`, [row.id]);
        continue;
      }
      if (row.attempts >= MAX_ATTEMPTS) {
        await db.query(
          `update terminal_messages set status = 'undelivered' where plan_id = $1 and vehicle_id = $2 and terminal_id = $3 and status = 'queued'`,
          [row.plan_id, row.vehicle_id, terminalId],
        );
        logger.warn({ terminalId, planId: row.plan_id, vehicleId: row.vehicle_id }, `route texts: not delivered after ${MAX_ATTEMPTS} sends`);
        continue;
      }
      await db.query(`update terminal_messages set status = 'sent', attempts = attempts + 1, sent_at = now() where id = $1`, [row.id]);
      let reply: GeneralReply;
      try {
        reply = await gateway.sendText(terminalId, row.text);
      } catch (err) {
        // offline or silent: back in the queue for the next connection
        await db.query(`update terminal_messages set status = 'queued', last_error = $2 where id = $1`, [row.id, (err as Error).message]);
        this.failedAtMs.set(terminalId, this.now());
        logger.info({ terminalId, messageId: row.id, err: (err as Error).message }, 'route texts: chunk not delivered; queued for the next connection');
        return;
      }
      await db.query(
        `update terminal_messages set status = 'replied', reply_result = $2, reply_serial = $3, replied_at = now(), last_error = null where id = $1`,
        [row.id, reply.result, reply.replySerial],
      );
    }
  }

  async list(filter: { planId: string; vehicleId?: string }): Promise<TerminalMessage[]> {
    const params: unknown[] = [filter.planId];
    const res = await this.options.db.query<Record<string, any>>(
      `select * from terminal_messages where plan_id = $1 ${filter.vehicleId ? `and vehicle_id = $${params.push(filter.vehicleId)}` : ''} order by vehicle_id, chunk_index`,
      params,
    );
    return res.rows.map((r) => ({
      id: r.id, planId: r.plan_id, vehicleId: r.vehicle_id, terminalId: r.terminal_id, chunk: r.chunk_index + 1, chunks: r.chunk_count,
      text: r.text, gbkBytes: r.gbk_bytes, status: r.status, attempts: r.attempts, lastError: r.last_error ?? null,
      replyResult: r.reply_result ?? null, replySerial: r.reply_serial ?? null,
      createdAt: iso(r.created_at)!, sentAt: iso(r.sent_at), repliedAt: iso(r.replied_at),
    }));
  }

  /** Waits for the flushes under way (the service's close). */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await Promise.allSettled([...this.flushing.values()]);
  }
}

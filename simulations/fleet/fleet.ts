import { mulberry32 } from '../../solver/index.js';
import { TerminalProfiles, type TerminalModelProfile } from '../../src/ingest/jt808/index.js';
import type { LocationInput } from '../../src/ingest/jt808/terminal.js';
import { SimTerminal } from '../jt808-terminal.js';
import type { SimFix } from '../plan-day.js';
import { encodeStates } from './terminal-states.js';

/**
 * Drives a fleet's timed tracks into a running service over the real protocols, paced by a
 * simulated clock (real time or a speed-up): trucks with a JT/T 808 terminal register,
 * authenticate and send each fix as a 0x0200 when its time comes; in a blind area they keep
 * the fixes and upload them as 0x0704 batches (type 1) on leaving it. Vehicles whose device is a
 * phone send OsmAnd requests over HTTP. One timer for the whole fleet: a tick sends what each
 * vehicle's cursor has reached, so an idle demo costs next to nothing.
 */
/** Fixes older than this when their tick comes are a backlog: uploaded in 0x0704 batches. */
const BACKLOG_MS = 5 * 60_000;

export interface FleetVehicle {
  vehicleId: string;
  /** JT/T 808 terminal phone number; without it the vehicle reports as a phone (deviceId). */
  terminalId?: string;
  terminalModel?: string;
  deviceId?: string;
  capacityKg?: number;
  fixes: SimFix[];
}

export interface FleetTarget {
  host?: string;
  jt808Port?: number;
  /** http://host:port of the service, for OsmAnd phones. */
  httpUrl?: string;
}

export interface FleetClock {
  /** The simulated time now, epoch ms. */
  nowMs(): number;
}

/** Simulated time running `speedup` times faster than the wall clock from `startSimMs` on. */
export function simClock(startSimMs: number, speedup = 1, wallNow: () => number = Date.now): FleetClock {
  const wall0 = wallNow();
  return { nowMs: () => startSimMs + (wallNow() - wall0) * speedup };
}

export interface FleetOptions {
  vehicles: FleetVehicle[];
  target: FleetTarget;
  clock: FleetClock;
  /** Terminal models → how they carry cover / lift / load / working (config.terminalProfiles). */
  terminalProfiles?: Record<string, TerminalModelProfile>;
  /** Wall ms between ticks (default 1,000). */
  tickMs?: number;
  seed?: number;
  /** Share of vehicles passing one blind area (no signal) of 3-12 simulated minutes (default 0.2). */
  blindShare?: number;
  /** Share of vehicles breaking down once, standing still from a random time on (default 0). */
  breakdownShare?: number;
  /** Fixes older than this (ms before the clock at start) are not sent; default: all are sent, the past ones as a blind-area upload. */
  skipBeforeMs?: number;
  /** Fixes per 0x0704 batch (default 30). */
  batchSize?: number;
  onError?(vehicleId: string, err: Error): void;
}

export interface FleetStats {
  vehicles: number;
  connected: number;
  locations: number;
  batches: number;
  batchedFixes: number;
  osmand: number;
  /** 0x8001 answers to our 0x0200 / 0x0704 frames. */
  acked: number;
  errors: number;
  breakdowns: string[];
}

interface Runner {
  v: FleetVehicle;
  next: number;
  terminal?: SimTerminal;
  connecting?: Promise<void>;
  profile: TerminalModelProfile;
  blind?: [number, number];
  held: SimFix[];
}

export class Fleet {
  readonly stats: FleetStats;
  private readonly runners: Runner[];
  private timer: ReturnType<typeof setInterval> | undefined;
  private ticking = false;
  private stopped = false;
  private finish!: () => void;
  /** Resolves when every track has been sent (or the fleet is stopped). */
  readonly done: Promise<void>;

  constructor(private readonly options: FleetOptions) {
    const random = mulberry32(options.seed ?? 1);
    const profiles = new TerminalProfiles(options.terminalProfiles ?? {});
    this.stats = { vehicles: options.vehicles.length, connected: 0, locations: 0, batches: 0, batchedFixes: 0, osmand: 0, acked: 0, errors: 0, breakdowns: [] };
    this.runners = options.vehicles.filter((v) => v.fixes.length > 0).map((v) => {
      const fixes = options.breakdownShare && random() < options.breakdownShare ? this.breakDown(v.fixes, random) : v.fixes;
      if (fixes !== v.fixes) this.stats.breakdowns.push(v.vehicleId);
      const first = fixes[0]!.timeMs;
      const last = fixes[fixes.length - 1]!.timeMs;
      let blind: [number, number] | undefined;
      if (random() < (options.blindShare ?? 0.2) && last - first > 30 * 60_000) {
        const from = first + random() * (last - first - 15 * 60_000);
        blind = [from, from + (3 + random() * 9) * 60_000];
      }
      return { v: { ...v, fixes }, next: 0, profile: profiles.forModel(v.terminalModel), blind, held: [] };
    });
    this.done = new Promise((resolve) => { this.finish = resolve; });
    if (this.runners.length === 0) this.finish();
  }

  /** A breakdown: from a random time on, the truck stands where it was (hazard lights, no more stops). */
  private breakDown(fixes: SimFix[], random: () => number): SimFix[] {
    const at = Math.floor(fixes.length * (0.2 + random() * 0.6));
    const where = fixes[at]!;
    return [...fixes.slice(0, at), ...fixes.slice(at).map((f) => ({ ...f, lon: where.lon, lat: where.lat, speedKmh: 0, working: false }))];
  }

  /** Starts the clock's ticks; JT/T 808 terminals connect and log in on their first fix. */
  start(): this {
    const skipBefore = this.options.skipBeforeMs === undefined ? undefined : this.options.clock.nowMs() - this.options.skipBeforeMs;
    if (skipBefore !== undefined) {
      for (const r of this.runners) while (r.next < r.v.fixes.length - 1 && r.v.fixes[r.next]!.timeMs < skipBefore) r.next++;
    }
    this.timer = setInterval(() => void this.tick(), this.options.tickMs ?? 1000);
    this.timer.unref?.();
    void this.tick();
    return this;
  }

  /** Frames sent that the platform has not answered yet. */
  get unanswered(): number {
    return this.stats.locations + this.stats.batches - this.stats.acked;
  }

  /** Waits until every frame sent has its answer (the service has committed it) or `timeoutMs` passes. */
  async drain(timeoutMs = 60_000): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    while (this.unanswered > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    return this.unanswered === 0;
  }

  /** Waits for the tick under way (the day so far goes up in the first one) and every answer to it. */
  async caughtUp(timeoutMs = 120_000): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    while (this.ticking && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    return this.drain(Math.max(0, until - Date.now()));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await Promise.all(this.runners.map(async (r) => {
      await r.connecting?.catch(() => undefined);
      await r.terminal?.close();
    }));
    this.finish();
  }

  /** Sends what the clock has reached; a tick still running when the next is due lets it pass. */
  async tick(): Promise<void> {
    if (this.ticking || this.stopped) return;
    this.ticking = true;
    try {
      const nowMs = this.options.clock.nowMs();
      await Promise.all(this.runners.map((r) => this.advance(r, nowMs).catch((err: Error) => {
        this.stats.errors++;
        this.options.onError?.(r.v.vehicleId, err);
        // a lost connection is made again on the next tick
        if (r.terminal?.closed) r.terminal = undefined;
      })));
      if (this.runners.every((r) => r.next >= r.v.fixes.length && r.held.length === 0)) {
        if (this.timer) clearInterval(this.timer);
        this.timer = undefined;
        this.finish();
      }
    } finally {
      this.ticking = false;
    }
  }

  private async advance(r: Runner, nowMs: number): Promise<void> {
    const due: SimFix[] = [];
    while (r.next < r.v.fixes.length && r.v.fixes[r.next]!.timeMs <= nowMs) due.push(r.v.fixes[r.next++]!);
    if (due.length === 0 && r.held.length === 0) return;
    if (!r.v.terminalId) {
      for (const f of due) await this.sendOsmand(r.v, f);
      return;
    }
    // in the blind area the terminal keeps what it records; once out of it, it uploads them first
    const inBlind = (f: SimFix) => r.blind !== undefined && f.timeMs >= r.blind[0] && f.timeMs < r.blind[1];
    const live: SimFix[] = [];
    for (const f of due) (inBlind(f) ? r.held : live).push(f);
    const signal = r.blind === undefined || nowMs < r.blind[0] || nowMs >= r.blind[1];
    if (!signal) {
      // no signal now: what was recorded before it was lost waits too
      r.held.push(...live);
      r.held.sort((a, b) => a.timeMs - b.timeMs);
      return;
    }
    if (live.length === 0 && r.held.length === 0) return;
    let terminal: SimTerminal;
    try {
      terminal = await this.terminalOf(r);
    } catch (err) {
      // not connected: the terminal keeps what it recorded and uploads it once it is
      r.held.push(...live);
      throw err;
    }
    if (r.held.length > 0) {
      const size = this.options.batchSize ?? 30;
      const held = r.held.splice(0);
      for (let i = 0; i < held.length; i += size) {
        const chunk = held.slice(i, i + size);
        terminal.sendBatch(chunk.map((f) => this.location(r, f)), 1);
        this.stats.batches++;
        this.stats.batchedFixes += chunk.length;
      }
    }
    // a backlog (the day so far at start, or a stalled tick) goes up as batches, as a terminal's store would
    const backlog = live.filter((f) => f.timeMs < nowMs - BACKLOG_MS);
    if (backlog.length > 0) {
      const size = this.options.batchSize ?? 30;
      for (let i = 0; i < backlog.length; i += size) {
        const chunk = backlog.slice(i, i + size);
        terminal.sendBatch(chunk.map((f) => this.location(r, f)), 1);
        this.stats.batches++;
        this.stats.batchedFixes += chunk.length;
      }
      live.splice(0, backlog.length);
    }
    for (const f of live) {
      terminal.sendLocation(this.location(r, f));
      this.stats.locations++;
    }
  }

  private location(r: Runner, f: SimFix): LocationInput {
    return {
      fixTimeMs: f.timeMs, lat: f.lat, lon: f.lon, speedKmh: f.speedKmh, headingDeg: f.headingDeg,
      ...encodeStates(r.profile, { loadKg: f.loadKg, capacityKg: r.v.capacityKg, coverClosed: f.coverClosed, bodyLifted: f.bodyLifted, working: f.working }),
    };
  }

  private async terminalOf(r: Runner): Promise<SimTerminal> {
    if (r.terminal && !r.terminal.closed) return r.terminal;
    if (!r.connecting) {
      r.connecting = (async () => {
        const port = this.options.target.jt808Port;
        if (port === undefined) throw new Error('no JT/T 808 port to report to');
        // a long run keeps counters only: the platform's answers to positions are counted, not kept
        const terminal = await SimTerminal.connect(port, r.v.terminalId!, {
          host: this.options.target.host,
          onAck: (reply) => { if (reply.replyMsgId === 0x0200 || reply.replyMsgId === 0x0704) this.stats.acked++; },
        });
        terminal.keepFrames = false;
        terminal.socket.setKeepAlive(true, 60_000);
        try {
          const reg = await terminal.register({ terminalModel: r.v.terminalModel ?? 'SIM-1', plate: '' });
          if (reg.result !== 0 || reg.authCode === undefined) throw new Error(`registration refused (${reg.result})`);
          const auth = await terminal.authenticate(reg.authCode);
          if (auth !== 0) throw new Error(`authentication refused (${auth})`);
          terminal.trackAcks = false;
        } catch (err) {
          await terminal.close();
          throw err;
        }
        r.terminal = terminal;
        this.stats.connected++;
      })().finally(() => { r.connecting = undefined; });
    }
    await r.connecting;
    return r.terminal!;
  }

  private async sendOsmand(v: FleetVehicle, f: SimFix): Promise<void> {
    const base = this.options.target.httpUrl;
    if (!base || !v.deviceId) throw new Error(`vehicle ${v.vehicleId} has neither a terminal nor an OsmAnd device id and URL`);
    // Traccar Client's query form; speed in knots as it sends it
    const q = new URLSearchParams({
      id: v.deviceId, lat: f.lat.toFixed(7), lon: f.lon.toFixed(7), timestamp: String(Math.round(f.timeMs / 1000)),
      speed: (f.speedKmh / 1.852).toFixed(2), bearing: f.headingDeg.toFixed(1), accuracy: '5',
    });
    const res = await fetch(`${base}/api/v1/osmand?${q}`, { method: 'POST' });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`OsmAnd upload answered ${res.status}`);
    this.stats.osmand++;
  }
}

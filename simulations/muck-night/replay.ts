import { io, type Socket } from 'socket.io-client';
import { SimTerminal } from '../jt808-terminal.js';
import type { LocationInput } from '../../src/ingest/jt808/index.js';
import { INCIDENT_TYPES, type IncidentType, type MuckNight, type NightFix } from './generate.js';

/**
 * Replays a generated night into a running service over the real protocols: one JT/T 808
 * terminal per truck (0x0200 live fixes, 0x0704 blind-area batches), load in status bits 8-9,
 * cover and lift in item 0xE1 and payload in 0xE2 as the demo's `muck-generic` profile maps them;
 * the enforcement socket's `incident` events are collected and scored against the ground truth.
 */

const LOAD_BITS = { empty: 0, half: 1, full: 3 } as const;

/** Night time the frames in flight may span (a few fix intervals; see replayNight). */
const MAX_IN_FLIGHT_SPAN_MS = 30_000;

export function locationOf(f: NightFix): LocationInput {
  return {
    fixTimeMs: f.fixTimeMs, lat: f.lat, lon: f.lon, speedKmh: f.speedKmh,
    statusWord: 0x3 | (LOAD_BITS[f.loadState] << 8),
    items: [
      { id: 0xe1, value: Uint8Array.of((f.coverClosed ? 1 : 0) | (f.bodyLifted ? 2 : 0)) },
      { id: 0xe2, value: Uint8Array.of((Math.round(f.loadKg / 10) >> 8) & 0xff, Math.round(f.loadKg / 10) & 0xff) },
    ],
  };
}

export const fixIdOf = (vehicleId: string, fixTimeMs: number) => `${vehicleId}@${new Date(fixTimeMs).toISOString()}`;

interface Api {
  url: string;
  adminToken: string;
}

async function call(api: Api, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${api.url}${path}`, {
    method, headers: { authorization: `Bearer ${api.adminToken}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** Registers the night's extra trucks (no permit) and returns every truck's terminal id. */
export async function prepareNight(api: Api, night: MuckNight): Promise<Map<string, string>> {
  const terminals = new Map<string, string>();
  const list = await call(api, 'GET', '/api/v1/vehicles?kind=muck_truck&limit=500');
  for (const v of list.items as Array<{ id: string; terminalId?: string }>) if (v.terminalId) terminals.set(v.id, v.terminalId);
  const template = (list.items as Array<Record<string, unknown>>)[0]!;
  for (const x of night.extraVehicles) {
    if (terminals.has(x.id)) continue;
    const { id: _id, plate: _p, terminalId: _t, createdAt: _c, updatedAt: _u, version: _v, ...rest } = template;
    await call(api, 'POST', '/api/v1/vehicles', { ...rest, id: x.id, plate: x.plate, terminalId: x.terminalId, terminalModel: 'muck-generic' });
    terminals.set(x.id, x.terminalId);
  }
  return terminals;
}

/** An enforcement officer on the incident socket: every notice with its arrival time. */
export interface Received {
  change: string;
  atMs: number;
  incident: { id: string; type: string; vehicleId?: string; startAt: string; endAt?: string; lastEventAt?: string; fixIds: string[]; details?: Record<string, unknown> };
}

export async function listenAsEnforcement(api: Api): Promise<{ socket: Socket; received: Received[] }> {
  const issued = await call(api, 'POST', '/api/v1/tokens', { role: 'enforcement', label: 'truth-bench' });
  const socket = io(api.url, { auth: { token: issued.token }, transports: ['websocket'], reconnection: false, forceNew: true });
  const received: Received[] = [];
  socket.on('incident', (n: Omit<Received, 'atMs'>) => received.push({ ...n, atMs: Date.now() }));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return { socket, received };
}

export interface ReplayOptions {
  jt808Port: number;
  /** the service's JT/T 808 host; default 127.0.0.1 */
  host?: string;
  terminals: Map<string, string>;
  /** Night-clock ms per wall ms (default: as fast as the acks come back). */
  speedup?: number;
  /** The longest wall pause between two frames (parked trucks' silences are squeezed). */
  maxPauseMs?: number;
}

/** Sends every frame; returns the wall time each fix was sent at (by fix id), after every ack came back. */
export async function replayNight(night: MuckNight, options: ReplayOptions): Promise<Map<string, number>> {
  const sentAt = new Map<string, number>();
  const open = new Map<string, SimTerminal>();
  const pending: Array<Promise<unknown>> = [];
  const terminalFor = async (vehicleId: string) => {
    let t = open.get(vehicleId);
    if (!t) {
      const id = options.terminals.get(vehicleId);
      if (!id) throw new Error(`no terminal for ${vehicleId}`);
      t = await SimTerminal.connect(options.jt808Port, id, options.host ? { host: options.host } : {});
      t.keepFrames = false;
      await t.login();
      open.set(vehicleId, t);
    }
    return t;
  };
  for (const v of new Set(night.frames.map((f) => (f.kind === 'live' ? f.fix.vehicleId : f.fixes[0]!.vehicleId)))) await terminalFor(v);
  let last = night.frames[0]?.sendAtMs ?? 0;
  let oldestPendingMs = last;
  try {
    for (const frame of night.frames) {
      if (options.speedup) {
        const pause = Math.min(options.maxPauseMs ?? 1000, (frame.sendAtMs - last) / options.speedup);
        if (pause >= 1) await new Promise((r) => setTimeout(r, pause));
      }
      last = frame.sendAtMs;
      const fixes = frame.kind === 'live' ? [frame.fix] : frame.fixes;
      // Terminals report in real time: one truck is never minutes of night ahead of another in
      // flight. Sent as fast as acks come, the frames of other trucks would run the service's
      // fleet clock (newest fix time) minutes past a truck whose frames wait on their connection,
      // and the service would rightly judge that truck silent.
      if (pending.length > 0 && frame.sendAtMs - oldestPendingMs > MAX_IN_FLIGHT_SPAN_MS) await Promise.all(pending.splice(0));
      if (pending.length === 0) oldestPendingMs = frame.sendAtMs;
      const t = await terminalFor(fixes[0]!.vehicleId);
      const serial = frame.kind === 'live' ? t.sendLocation(locationOf(frame.fix)) : t.sendBatch(frame.fixes.map(locationOf), 1);
      const now = Date.now();
      for (const f of fixes) if (!sentAt.has(fixIdOf(f.vehicleId, f.fixTimeMs))) sentAt.set(fixIdOf(f.vehicleId, f.fixTimeMs), now);
      pending.push(t.ack(serial, frame.kind === 'live' ? 0x0200 : 0x0704, 60_000));
      if (pending.length >= 200) await Promise.all(pending.splice(0));
    }
    await Promise.all(pending);
  } finally {
    for (const t of open.values()) await t.close();
  }
  return sentAt;
}

export interface TypeScore {
  type: IncidentType;
  planted: number;
  /** Optional planted ones (neither planted nor missed) and how many of them were raised. */
  optional: number;
  optionalFound: number;
  found: number;
  raised: number;
  matched: number;
  duplicates: number;
  recall: number | null;
  precision: number | null;
}

export interface NightScore {
  perType: TypeScore[];
  missed: MuckNight['truth'];
  falseIncidents: Received['incident'][];
  duplicates: number;
  /** Wall ms from sending the fix that completed each matched incident to its `opened` notice on the socket (an upper bound). */
  latenciesMs: number[];
  /** The same from the fix's commit (when the caller saw the commits: the service in-process). */
  commitLatenciesMs: number[];
}

/** Slack around a planted window: the rule's own thresholds (60 s) and a fix interval either side. */
const SLACK_MS = 90_000;

/**
 * Matches incidents to the truth by type, vehicle and time overlap (the planted window widened by
 * 90 s each way). An incident matching no planted one is false; a planted one matched by two or
 * more incidents counts the extra ones as duplicates. Incidents from spill reports are left out.
 */
export function scoreNight(night: MuckNight, received: Received[], sentAt: Map<string, number>, committedAt?: Map<string, number>): NightScore {
  // the latest state of each incident (its whole span), and the first 'opened' notice (its fixes then)
  const incidents = new Map<string, { incident: Received['incident']; opened?: Received }>();
  for (const r of received) {
    const was = incidents.get(r.incident.id);
    incidents.set(r.incident.id, { incident: r.incident, opened: was?.opened ?? (r.change === 'opened' ? r : undefined) });
  }
  const vehicles = new Set([...night.truth.map((p) => p.vehicleId), ...night.frames.map((f) => (f.kind === 'live' ? f.fix.vehicleId : f.fixes[0]!.vehicleId))]);
  const mine = [...incidents.values()].filter((x) => x.incident.vehicleId !== undefined && vehicles.has(x.incident.vehicleId) && !String(x.incident.id).startsWith('spill:report'));
  const matchesOf = new Map<number, string[]>();
  const falseIncidents: Received['incident'][] = [];
  const latenciesMs: number[] = [];
  const commitLatenciesMs: number[] = [];
  for (const { incident, opened } of mine) {
    const s = Date.parse(incident.startAt);
    const e = Date.parse(incident.endAt ?? incident.lastEventAt ?? incident.startAt);
    let hit = false;
    night.truth.forEach((p, k) => {
      if (p.type !== incident.type || p.vehicleId !== incident.vehicleId) return;
      if (s > p.endMs + SLACK_MS || e < p.startMs - SLACK_MS) return;
      hit = true;
      matchesOf.set(k, [...(matchesOf.get(k) ?? []), incident.id]);
    });
    if (!hit) falseIncidents.push(incident);
    else if (opened !== undefined) {
      const openedAtMs = opened.atMs;
      // the fix that completed the violation: the latest the incident names when it opened
      const last = opened.incident.fixIds.reduce((a, b) => (b.split('@')[1]! > a.split('@')[1]! ? b : a), opened.incident.fixIds[0] ?? '');
      const sent = sentAt.get(last);
      if (sent !== undefined) latenciesMs.push(openedAtMs - sent);
      const committed = committedAt?.get(last);
      if (committed !== undefined) commitLatenciesMs.push(openedAtMs - committed);
    }
  }
  const perType = INCIDENT_TYPES.map((type): TypeScore => {
    const planted = night.truth.filter((p) => p.type === type && !p.optional).length;
    const found = night.truth.filter((p, k) => p.type === type && !p.optional && matchesOf.has(k)).length;
    const raised = mine.filter((x) => x.incident.type === type).length;
    const matched = raised - falseIncidents.filter((i) => i.type === type).length;
    const duplicates = night.truth.reduce((n, p, k) => n + (p.type === type ? Math.max(0, (matchesOf.get(k)?.length ?? 0) - 1) : 0), 0);
    const optional = night.truth.filter((p) => p.type === type && p.optional).length;
    const optionalFound = night.truth.filter((p, k) => p.type === type && p.optional && matchesOf.has(k)).length;
    return { type, planted, optional, optionalFound, found, raised, matched, duplicates, recall: planted ? found / planted : null, precision: raised ? matched / raised : null };
  });
  return {
    perType, duplicates: perType.reduce((n, t) => n + t.duplicates, 0), falseIncidents, latenciesMs, commitLatenciesMs,
    missed: night.truth.filter((p, k) => !p.optional && !matchesOf.has(k)),
  };
}

export function percentile(values: number[], p: number): number | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** The latest night (local evening date, UTC+8) whose last planted fix (about 08:00 next morning) lies before `nowMs`: fixes must not come from the future. */
export function lastNightBefore(nowMs: number): string {
  const local = new Date(nowMs + 8 * 3_600_000);
  const daysBack = local.getUTCHours() * 60 + local.getUTCMinutes() >= 9 * 60 + 30 ? 1 : 2;
  return new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate() - daysBack)).toISOString().slice(0, 10);
}

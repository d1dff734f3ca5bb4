import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { io as connect, type Socket } from 'socket.io-client';
import type { Principal } from '../../src/domain/principal.js';
import type { VehicleState } from '../../src/domain/vehicle-state.js';
import { FleetEvents, type FleetStateSource } from '../../src/tracking/fleet-events.js';
import { startLiveHub, type LiveHub, type LiveHubOptions } from '../../src/live/hub.js';

/** A small fleet in two districts, one vehicle of each interesting kind/class. */
export function fleet(): VehicleState[] {
  const base = { motion: 'stopped' as const, distanceTodayM: 0, tripDistanceM: 0, updatedAtMs: 1 };
  return [
    { ...base, vehicleId: 'col-food', plate: '沪A00001', kind: 'collector', wasteClasses: ['food'], district: 'east' },
    { ...base, vehicleId: 'col-res', plate: '沪A00002', kind: 'collector', wasteClasses: ['residual', 'recyclable'], district: 'west' },
    { ...base, vehicleId: 'muck-1', plate: '沪A00003', kind: 'muck_truck', wasteClasses: ['construction'], district: 'east' },
    { ...base, vehicleId: 'sweep-1', plate: '沪A00004', kind: 'sweeper', wasteClasses: [], district: 'west' },
  ];
}

export function moved(s: VehicleState, fixTimeMs: number, lon = 121.4 + fixTimeMs / 1e9): VehicleState {
  return {
    ...s, motion: 'moving', updatedAtMs: fixTimeMs,
    latest: { fixTimeMs, lat: 31.2, lon, speedKmh: 20, headingDeg: 90, positioned: true, alarms: [] },
  };
}

export class MemoryStates implements FleetStateSource {
  readonly byId = new Map<string, VehicleState>();
  constructor(states: VehicleState[]) {
    for (const s of states) this.byId.set(s.vehicleId, s);
  }
  snapshot(): VehicleState[] {
    return [...this.byId.values()];
  }
  get(id: string): VehicleState | undefined {
    return this.byId.get(id);
  }
}

export const principals: Record<string, Principal> = {
  'tok-admin': { credential: 'api_token', tokenId: 't1', role: 'admin' },
  'tok-dispatch': { credential: 'api_token', tokenId: 't2', role: 'dispatcher' },
  'tok-driver': { credential: 'api_token', tokenId: 't3', role: 'driver', vehicleId: 'col-res' },
  'tok-enforce': { credential: 'api_token', tokenId: 't4', role: 'enforcement' },
  'tok-device': { credential: 'api_token', tokenId: 't5', role: 'device', vehicleId: 'muck-1' },
  'tok-dispatch-east': { credential: 'session', tokenId: 's6', role: 'dispatcher', userId: 'usr-east', district: 'east' },
};

export interface HubFixture {
  hub: LiveHub;
  events: FleetEvents;
  states: MemoryStates;
  url: string;
  httpServer: Server;
  revoked: Set<string>;
  /** Emits a state the way tracking does: the source holds it, then the event fires. */
  emit(state: VehicleState): void;
  close(): Promise<void>;
}

export async function startHub(opts: Partial<LiveHubOptions> = {}): Promise<HubFixture> {
  const httpServer = createServer();
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  const events = new FleetEvents();
  const states = new MemoryStates(fleet());
  const revoked = new Set<string>();
  const tokens = { verify: async (t: string) => (revoked.has(t) ? null : principals[t] ?? null) };
  const hub = await startLiveHub({ httpServer, tokens, events, states, logger: pino({ level: 'silent' }), ...opts });
  const url = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
  return {
    hub, events, states, url, httpServer, revoked,
    emit: (s) => {
      states.byId.set(s.vehicleId, s);
      events.emit('state', s);
    },
    close: async () => {
      await hub.close();
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
    },
  };
}

export interface LiveClient {
  socket: Socket;
  snapshots: VehicleState[][];
  updates: Array<{ atMs: number; batch: VehicleState[] }>;
  /** Resolves once the first snapshot is in. */
  ready: Promise<VehicleState[]>;
}

export function client(url: string, auth: Record<string, unknown>, extraHeaders?: Record<string, string>): LiveClient {
  const socket = connect(url, { auth, extraHeaders, transports: ['websocket'], reconnection: false, forceNew: true });
  const c: LiveClient = { socket, snapshots: [], updates: [], ready: undefined as never };
  c.ready = new Promise((resolve, reject) => {
    socket.once('fleet:snapshot', (s: VehicleState[]) => resolve(s));
    socket.once('connect_error', reject);
  });
  socket.on('fleet:snapshot', (s: VehicleState[]) => c.snapshots.push(s));
  socket.on('fleet:update', (batch: VehicleState[]) => c.updates.push({ atMs: Date.now(), batch }));
  return c;
}

export function refusal(url: string, auth: Record<string, unknown>, extraHeaders?: Record<string, string>): Promise<Error & { data?: any }> {
  const socket = connect(url, { auth, extraHeaders, transports: ['websocket'], reconnection: false, forceNew: true });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => {
      socket.close();
      reject(new Error('connected, expected a refusal'));
    });
    socket.once('connect_error', (err) => {
      socket.close();
      resolve(err as Error & { data?: any });
    });
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function until(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const t0 = Date.now();
  while (!check()) {
    if (Date.now() - t0 > timeoutMs) throw new Error('timed out waiting');
    await sleep(10);
  }
}

export function ids(states: VehicleState[]): string[] {
  return states.map((s) => s.vehicleId).sort();
}

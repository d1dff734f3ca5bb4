import type { Server as HttpServer } from 'node:http';
import { Server, type Socket } from 'socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import { createClient } from 'redis';
import type { Logger } from 'pino';
import type { Principal, PrincipalSource } from '../domain/principal.js';
import type { VehicleState } from '../domain/vehicle-state.js';
import type { FleetEvents, FleetStateSource } from '../tracking/fleet-events.js';
import { Coalescer } from './coalescer.js';
import type { ErrorCode } from '../domain/error-codes.js';
import { inScope, isNewer, parseFilter, scopeFor, ScopeError, type LiveScope } from './scope.js';
import { inFleetScope } from '../domain/fleet-scope.js';

/**
 * Live push to the dispatch, driver and enforcement pages over socket.io.
 *
 * Events to the client: 'fleet:snapshot' (VehicleState[] in scope, on connect and after
 * each subscribe) and 'fleet:update' (VehicleState[], newest per vehicle, at most
 * maxBatchesPerSecond a second). From the client: 'subscribe' (a LiveFilter; the ack gets
 * `{ ok: true, count }` or `{ error, details }`).
 *
 * With Redis, every instance relays its local states to the others (serverSideEmit) and
 * each instance coalesces for its own clients only, so a client never gets a batch twice.
 */
export interface LiveHubOptions {
  httpServer: HttpServer;
  tokens: Pick<PrincipalSource, 'verify'>;
  events: FleetEvents;
  states: FleetStateSource;
  redisUrl?: string;
  /** Redis channel prefix: instances sharing it share live push; default 'sanifleet:live'. */
  redisKey?: string;
  /** Per client; default 4. */
  maxBatchesPerSecond?: number;
  logger: Logger;
  /** How often connected clients' tokens are checked again (revocation); default 60 s. */
  recheckTokensMs?: number;
}

export interface LiveHub {
  io: Server;
  /**
   * An event to this instance's clients whose token has one of `roles` (each client joins the
   * room "role:<role>" on connect). Local only: events of work done elsewhere reach each
   * instance's clients through that instance (plan progress: through the job rows).
   * `reach: 'all'` sends through the adapter to every instance's clients (a driver's report is
   * made once, on one instance). `about` names what the event concerns — a district (null: the
   * whole city) or a vehicle — and a client whose account is scoped (src/domain/fleet-scope.ts)
   * gets it only when that lies inside its scope.
   */
  emitToRoles(roles: readonly string[], event: string, payload: unknown, options?: { reach?: 'local' | 'all'; about?: EventAbout }): void;
  /**
   * An event to the drivers of these vehicles (each driver's client joins "vehicle:<id>" of
   * its own vehicle only). Through the adapter: with Redis it reaches every instance's drivers.
   */
  emitToVehicles(vehicleIds: readonly string[], event: string, payload: (vehicleId: string) => unknown): void;
  /** Disconnects the clients and leaves Redis; the HTTP server stays up (its owner closes it). */
  close(): Promise<void>;
}

export const DEFAULT_MAX_BATCHES_PER_SECOND = 10;
const RELAY_EVENT = 'fleet:state';
/** Between instances: "send this to your clients of these roles that the event concerns". */
const ROLES_EVENT = 'live:to-roles';

/** What an event for dispatchers concerns: a district (null: the whole city) or a vehicle. */
export type EventAbout = { district: string | null } | { vehicleId: string };
const MAX_SUBSCRIBES_PER_SECOND = 5;
/** setTimeout's limit (~24.8 days); a later expiry is caught by the periodic recheck. */
const MAX_TIMER_MS = 2 ** 31 - 1;

interface ClientData {
  principal: Principal;
  token: string;
  scope: LiveScope;
}

export async function startLiveHub(options: LiveHubOptions): Promise<LiveHub> {
  const { httpServer, tokens, events, states, logger } = options;
  const maxBatchesPerSecond = options.maxBatchesPerSecond ?? DEFAULT_MAX_BATCHES_PER_SECOND;
  if (!(maxBatchesPerSecond > 0)) throw new RangeError('maxBatchesPerSecond must be positive');

  const io = new Server(httpServer, { serveClient: true, cors: { origin: false } });
  const redisClients: Array<{ close(): Promise<void> }> = [];
  // While Redis is down, states are not relayed (the client would queue them without bound);
  // the others catch up with the next state of each vehicle.
  let relayReady = (): boolean => false;
  if (options.redisUrl) {
    // An unreachable Redis at start stops the start (a clear error beats a hub that
    // silently pushes to this instance only); once connected, reconnect with backoff.
    let ready = false;
    const reconnectStrategy = (retries: number, cause: Error): number | Error =>
      ready ? Math.min(100 * 2 ** retries, 5_000) : retries >= 3 ? new Error(`live hub: cannot reach Redis (${cause.message})`) : 200;
    const pub = createClient({ url: options.redisUrl, socket: { reconnectStrategy } });
    const sub = pub.duplicate();
    for (const c of [pub, sub]) c.on('error', (err: unknown) => logger.warn({ err }, 'live hub: redis error'));
    redisClients.push(pub, sub);
    try {
      await Promise.all([pub.connect(), sub.connect()]);
      ready = true;
    } catch (err) {
      await Promise.allSettled(redisClients.map((c) => c.close()));
      io.engine.close();
      throw err;
    }
    io.adapter(createAdapter(pub, sub, { key: options.redisKey ?? 'sanifleet:live' }));
    relayReady = () => pub.isReady;
  }

  // States relayed from other instances: the local tracker never saw their fixes, so the
  // snapshot takes them from here when they are newer than what tracking holds.
  const remoteLatest = new Map<string, VehicleState>();
  const coalescers = new Map<string, Coalescer>();

  const snapshotFor = (scope: LiveScope): VehicleState[] => {
    const byId = new Map<string, VehicleState>();
    for (const s of states.snapshot()) byId.set(s.vehicleId, s);
    for (const [id, s] of remoteLatest) {
      const local = byId.get(id);
      if (!local || isNewer(s, local)) byId.set(id, s);
    }
    return [...byId.values()].filter((s) => inScope(scope, s));
  };

  const fanOut = (state: VehicleState): void => {
    for (const socket of io.of('/').sockets.values()) {
      const data = socket.data as ClientData;
      if (data.scope && inScope(data.scope, state)) coalescers.get(socket.id)?.push(state);
    }
  };

  // A terminal that moves to another instance (a reconnect behind the load balancer)
  // leaves an older state behind on the first: whichever instance produced it, a state
  // older than the best this instance knows is never pushed, so markers never jump back.
  const supersededRemotely = (state: VehicleState): boolean => {
    const remote = remoteLatest.get(state.vehicleId);
    return !!remote && remote !== state && !isNewer(state, remote);
  };

  const onLocalState = (state: VehicleState): void => {
    if (relayReady()) io.serverSideEmit(RELAY_EVENT, state);
    if (!supersededRemotely(state)) fanOut(state);
  };
  events.on('state', onLocalState);
  io.on(RELAY_EVENT as 'connection', ((state: VehicleState) => {
    if (!state || typeof state.vehicleId !== 'string') return;
    if (supersededRemotely(state)) return;
    const local = states.get(state.vehicleId);
    if (local && !isNewer(state, local)) return;
    remoteLatest.set(state.vehicleId, state);
    fanOut(state);
  }) as never);

  // An event for some roles that concerns a district or a vehicle: a scoped client gets it
  // only when that is inside its scope (a vehicle's district and contractor from its state).
  const concerns = (data: ClientData, about: EventAbout): boolean => {
    const limit = data.scope?.kind === 'fleet' ? data.scope.limit : undefined;
    if (!limit) return true;
    if ('vehicleId' in about) {
      const state = states.get(about.vehicleId) ?? remoteLatest.get(about.vehicleId);
      return !!state && inFleetScope(limit, state);
    }
    return limit.district === undefined || about.district === limit.district;
  };
  const emitLocallyInScope = (roles: readonly string[], event: string, payload: unknown, about: EventAbout): void => {
    const rooms = roles.map((r) => `role:${r}`);
    for (const socket of io.of('/').sockets.values()) {
      if (!rooms.some((r) => socket.rooms.has(r))) continue;
      if (concerns(socket.data as ClientData, about)) socket.emit(event, payload);
    }
  };
  io.on(ROLES_EVENT as 'connection', ((m: { roles?: unknown; event?: unknown; payload?: unknown; about?: EventAbout }) => {
    if (!m || !Array.isArray(m.roles) || typeof m.event !== 'string' || !m.about) return;
    emitLocallyInScope(m.roles as string[], m.event, m.payload, m.about);
  }) as never);

  io.use((socket, next) => {
    const token = tokenOf(socket);
    if (!token) return next(refusal('unauthorized', [{ path: 'auth.token', message: 'send the API token in auth.token or "Authorization: Bearer <token>"' }], 'auth.required'));
    tokens.verify(token).then((principal) => {
      if (!principal) return next(refusal('unauthorized', [{ path: 'auth.token', message: 'token not recognised, revoked or expired' }], 'auth.invalid_token'));
      try {
        const scope = scopeFor(principal, socket.handshake.auth?.filter);
        socket.data = { principal, token, scope } satisfies ClientData;
        next();
      } catch (err) {
        if (err instanceof ScopeError) return next(refusal(err.message, err.details, scopeErrorCode(err)));
        next(err as Error);
      }
    }, (err: unknown) => {
      logger.error({ err }, 'live hub: token check failed');
      next(refusal('unavailable', [{ path: 'auth.token', message: 'the token could not be checked; retry' }], 'service.unavailable'));
    });
  });

  io.on('connection', (socket) => {
    const data = socket.data as ClientData;
    const coalescer = new Coalescer(maxBatchesPerSecond, (batch) => socket.emit('fleet:update', batch));
    coalescers.set(socket.id, coalescer);
    void socket.join(`role:${data.principal.role}`);
    if (data.scope.kind === 'vehicle') void socket.join(`vehicle:${data.scope.vehicleId}`);
    if (data.scope.kind !== 'none') socket.emit('fleet:snapshot', snapshotFor(data.scope));
    // A credential with an end (an expiring token, a session) is cut at that end, not at the next recheck.
    const remainingMs = data.principal.expiresAtMs === undefined ? undefined : Math.max(0, data.principal.expiresAtMs - Date.now());
    const expiry = remainingMs === undefined || remainingMs > MAX_TIMER_MS ? undefined : setTimeout(() => socket.disconnect(true), remainingMs);
    expiry?.unref();
    logger.debug({ tokenId: data.principal.tokenId, role: data.principal.role }, 'live client connected');

    // Each subscribe costs a full snapshot: a page that spams filter changes gets refused.
    const recentSubscribesMs: number[] = [];
    socket.on('subscribe', (raw: unknown, ack?: unknown) => {
      const reply = typeof ack === 'function' ? (ack as (x: unknown) => void) : () => undefined;
      const nowMs = Date.now();
      while (recentSubscribesMs.length > 0 && recentSubscribesMs[0]! <= nowMs - 1000) recentSubscribesMs.shift();
      if (recentSubscribesMs.length >= MAX_SUBSCRIBES_PER_SECOND) {
        reply({ error: 'too many requests', code: 'rate_limited', details: [{ path: 'filter', message: `at most ${MAX_SUBSCRIBES_PER_SECOND} filter changes a second` }] });
        return;
      }
      recentSubscribesMs.push(nowMs);
      if (data.scope.kind !== 'fleet') {
        reply({ error: 'forbidden', code: 'auth.forbidden', details: [{ path: 'filter', message: data.scope.kind === 'vehicle' ? 'a driver sees their own vehicle only' : 'a planner has no live view of the fleet' }] });
        return;
      }
      try {
        // The account's scope stays: a filter narrows within it, never beyond.
        data.scope = { ...data.scope, filter: parseFilter(raw) };
      } catch (err) {
        if (!(err instanceof ScopeError)) throw err;
        reply({ error: err.message, code: scopeErrorCode(err), details: err.details });
        return;
      }
      // Queued states may be outside the new filter; the snapshot replaces them.
      coalescer.clear();
      const snapshot = snapshotFor(data.scope);
      socket.emit('fleet:snapshot', snapshot);
      reply({ ok: true, count: snapshot.length });
    });
    socket.on('disconnect', () => {
      clearTimeout(expiry);
      coalescer.close();
      coalescers.delete(socket.id);
    });
  });

  // A revoked token must not keep watching: check the connected ones again now and then.
  const recheck = setInterval(() => {
    for (const socket of io.of('/').sockets.values()) {
      const data = socket.data as ClientData;
      tokens.verify(data.token).then((p) => {
        if (!p) socket.disconnect(true);
      }, () => undefined);
    }
  }, options.recheckTokensMs ?? 60_000);
  recheck.unref();

  let closed = false;
  return {
    io,
    emitToRoles: (roles, event, payload, options = {}) => {
      if (closed || roles.length === 0) return;
      const { reach = 'local', about } = options;
      if (!about) {
        (reach === 'all' ? io : io.local).to(roles.map((r) => `role:${r}`)).emit(event, payload);
        return;
      }
      // Each instance picks its own clients in scope: the others are told to (serverSideEmit).
      emitLocallyInScope(roles, event, payload, about);
      if (reach === 'all' && relayReady()) io.serverSideEmit(ROLES_EVENT, { roles, event, payload, about });
    },
    emitToVehicles: (vehicleIds, event, payload) => {
      if (closed) return;
      for (const id of new Set(vehicleIds)) io.to(`vehicle:${id}`).emit(event, payload(id));
    },
    close: async () => {
      if (closed) return;
      closed = true;
      clearInterval(recheck);
      events.off('state', onLocalState);
      for (const c of coalescers.values()) c.close();
      coalescers.clear();
      io.local.disconnectSockets(true);
      await io.of('/').adapter.close?.();
      // Not io.close(): that would also close the HTTP server, which belongs to the service.
      io.engine.close();
      await Promise.allSettled(redisClients.map((c) => c.close()));
    },
  };
}

function tokenOf(socket: Socket): string | undefined {
  const fromAuth = socket.handshake.auth?.token;
  if (typeof fromAuth === 'string' && fromAuth.length > 0) return fromAuth;
  const header = socket.handshake.headers.authorization;
  const m = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return m?.[1];
}

/** A connect_error the client can read: message plus `data.code` and `data.details` like the HTTP API's errors. */
function refusal(message: string, details: Array<{ path: string; message: string }>, code: ErrorCode): Error {
  const err = new Error(message) as Error & { data: unknown };
  err.data = { error: message, code, details };
  return err;
}

function scopeErrorCode(err: ScopeError): ErrorCode {
  return err.message === 'forbidden' ? 'auth.forbidden' : 'validation.failed';
}

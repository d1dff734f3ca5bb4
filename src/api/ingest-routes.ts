import { z } from 'zod';
import { fixText, type Fix } from '../domain/fix.js';
import { entityId, vehicleKind, wasteClass } from '../domain/model.js';
import { parseOsmandRequest } from '../ingest/osmand.js';
import type { Db } from '../store/db.js';
import type { Tracking } from '../tracking/tracking.js';
import { QueueFullError } from '../tracking/position-writer.js';
import { queryTrack } from '../tracking/track.js';
import type { Principal } from '../domain/principal.js';
import { describeFleetScope, fleetScopeOf, inFleetScope } from '../domain/fleet-scope.js';
import type { VehicleState } from '../domain/vehicle-state.js';
import { ApiError } from './errors.js';
import type { ApiRoutes } from './routes.js';

/**
 * HTTP ingestion (OsmAnd phones, JSON integrators), vehicle state and tracks.
 * Devices are answered 2xx only after their fixes are committed.
 */
export interface IngestRouteDeps {
  tracking: Tracking;
  db: Db;
  bodyLimitBytes: number;
  sendText?: (vehicleId: string, text: string) => Promise<{ result: number }>;
}

const batchFix = z.strictObject({
  deviceId: fixText.min(1).max(100).optional(),
  vehicleId: entityId.optional(),
  fixTime: z.union([z.iso.datetime({ offset: true }), z.number().int().positive()]),
  lat: z.number().finite().min(-90).max(90),
  lon: z.number().finite().min(-180).max(180),
  speedKmh: z.number().finite().min(0).max(400).default(0),
  headingDeg: z.number().finite().min(0).max(360).default(0),
  altitudeM: z.number().finite().min(-1000).max(10_000).default(0),
  positioned: z.boolean().default(true),
  accOn: z.boolean().optional(),
  loadState: z.enum(['empty', 'half', 'full']).optional(),
  coverClosed: z.boolean().optional(),
  bodyLifted: z.boolean().optional(),
  /** sweepers and washers: the gear is working */
  working: z.boolean().optional(),
  loadKg: z.number().finite().min(0).max(100_000).optional(),
  odometerM: z.number().finite().min(0).optional(),
  satellites: z.number().int().min(0).max(100).optional(),
  alarms: z.array(fixText.min(1).max(50)).max(32).default([]),
}).refine((f) => f.deviceId || f.vehicleId, { message: 'give deviceId or vehicleId', path: ['deviceId'] });

const batchBody = z.strictObject({ positions: z.array(batchFix).min(1).max(10_000) });

function commitFailure(err: unknown): never {
  if (err instanceof QueueFullError) throw new ApiError(503, 'busy', [{ path: 'body', message: err.message }]);
  throw err;
}

const trackQuery = z.strictObject({
  from: z.iso.datetime({ offset: true }),
  to: z.iso.datetime({ offset: true }),
  simplifyM: z.coerce.number().min(0).max(10_000).optional(),
  maxPoints: z.coerce.number().int().min(2).max(200_000).optional(),
}).refine((q) => Date.parse(q.to) > Date.parse(q.from), { message: 'to must be after from', path: ['to'] })
  .refine((q) => Date.parse(q.to) - Date.parse(q.from) <= 31 * 86_400_000, { message: 'at most 31 days per request', path: ['to'] });

function assertOwnVehicle(principal: Principal | undefined, vehicleId: string): void {
  if (principal?.role === 'driver' && principal.vehicleId !== vehicleId) {
    throw new ApiError(403, 'forbidden', [{ path: 'params.id', message: 'a driver may only read their own vehicle' }]);
  }
}

/** A district or contractor account reaches only its own vehicles (fleet-scope.ts); same 403 as a driver's foreign vehicle. */
function assertInFleetScope(principal: Principal | undefined, state: VehicleState | undefined): void {
  const scope = fleetScopeOf(principal);
  if (scope && state && !inFleetScope(scope, state)) {
    throw new ApiError(403, 'forbidden', [{ path: 'params.id', message: `this account sees only the vehicles of ${describeFleetScope(scope)}` }], 'auth.forbidden');
  }
}

export function addIngestRoutes(api: ApiRoutes, deps: IngestRouteDeps): void {
  const { tracking } = deps;

  for (const method of ['get', 'post'] as const) {
    api.add({
      method, path: '/osmand', roles: ['device', 'admin'], allowAnonymous: true, rawBody: true, bodyLimitBytes: deps.bodyLimitBytes,
      summary: `OsmAnd protocol (Traccar Client) ${method.toUpperCase()}: the device id bound to a vehicle, or a device token`,
      handler: async ({ req, principal }) => {
        const query = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?')) : '';
        const body = typeof req.body === 'string' ? req.body : undefined;
        const parsed = parseOsmandRequest({ method: req.method, query, contentType: req.headers['content-type'], body });
        if (!parsed.ok) {
          // Without a token, the device id is the credential: an unknown or unreadable id is 401
          // whatever else is wrong; a known device (or a token) learns which value is wrong.
          const known = parsed.deviceId !== undefined && tracking.directory.findDevice(parsed.deviceId) !== null;
          if (!principal && !known) throw new ApiError(401, 'unknown device', [{ path: 'query.id', message: 'send the id of a device bound to a vehicle, or a device token' }]);
          const where = req.method === 'POST' && body !== undefined && body.trim() !== '' ? 'body' : 'query';
          throw new ApiError(400, 'invalid OsmAnd request', parsed.errors.map((e) => ({ path: e.field === '(body)' ? where : `${where}.${e.field}`, message: e.message })));
        }
        const binding = tracking.directory.findDevice(parsed.deviceId);
        if (!principal && !binding) {
          throw new ApiError(401, 'unknown device', [{ path: 'query.id', message: `device "${parsed.deviceId}" is not bound to a vehicle` }]);
        }
        if (principal?.role === 'device' && principal.vehicleId && binding?.vehicleId !== principal.vehicleId) {
          throw new ApiError(403, 'forbidden', [{ path: 'query.id', message: 'this device token is bound to another vehicle' }]);
        }
        if (parsed.fixes.length === 0) return { status: 200, body: { accepted: 0, duplicates: 0, rejected: [] } };
        const result = await tracking.pipeline.submit(parsed.fixes, { boundVehicleId: binding?.vehicleId }).catch(commitFailure);
        // The store's own words (detail) are for the log, not for devices.
        return { status: 200, body: { ...result, rejected: result.rejected.map((r) => ({ index: r.index, reason: r.reason })) } };
      },
    });
  }

  api.add({
    method: 'post', path: '/positions', roles: ['device', 'admin'], body: batchBody, bodyLimitBytes: deps.bodyLimitBytes,
    summary: 'JSON batch of fixes for integrators (answered after commit; per-item rejects with reasons)',
    handler: async ({ body, principal }) => {
      const bound = principal?.role === 'device' ? principal.vehicleId : undefined;
      const fixes: Fix[] = body.positions.map((p) => ({
        deviceId: p.deviceId ?? p.vehicleId!, vehicleId: p.vehicleId,
        fixTimeMs: typeof p.fixTime === 'number' ? p.fixTime : Date.parse(p.fixTime),
        lat: p.lat, lon: p.lon, speedKmh: p.speedKmh, headingDeg: p.headingDeg, altitudeM: p.altitudeM, positioned: p.positioned,
        accOn: p.accOn, loadState: p.loadState, coverClosed: p.coverClosed, bodyLifted: p.bodyLifted, working: p.working, loadKg: p.loadKg,
        odometerM: p.odometerM, satellites: p.satellites, alarms: p.alarms, source: 'json',
      }));
      const result = await tracking.pipeline.submit(fixes, { boundVehicleId: bound, allowVehicleIds: !bound }).catch(commitFailure);
      return {
        status: 200,
        body: { ...result, rejected: result.rejected.map((r) => ({ path: `body.positions.${r.index}`, reason: r.reason })) },
      };
    },
  });

  api.add({
    method: 'get', path: '/vehicles/:id/state', roles: ['admin', 'dispatcher', 'enforcement', 'driver'], params: z.strictObject({ id: entityId }),
    summary: "A vehicle's live state: latest fix, moving/stopped/offline, distance today, trip, load and cover",
    handler: ({ params, principal }) => {
      assertOwnVehicle(principal, params.id);
      const s = tracking.tracker.get(params.id);
      if (!s) throw new ApiError(404, 'vehicle not found', [{ path: 'params.id', message: `no vehicle with id "${params.id}"` }]);
      assertInFleetScope(principal, s);
      return s;
    },
  });

  const list = z.string().min(1).max(500).transform((s) => s.split(','));
  api.add({
    method: 'get', path: '/fleet/state', roles: ['admin', 'dispatcher', 'enforcement'],
    query: z.strictObject({ kind: list.pipe(z.array(vehicleKind)).optional(), wasteClass: list.pipe(z.array(wasteClass)).optional(), district: list.optional(), motion: list.pipe(z.array(z.enum(['moving', 'stopped', 'offline']))).optional() }),
    summary: 'Live state of the fleet (filters: kind, wasteClass, district, motion — comma-separated)',
    handler: ({ query, principal }) => {
      const scope = fleetScopeOf(principal);
      const items = tracking.tracker.snapshot().filter((s) =>
        inFleetScope(scope, s)
        && (!query.kind || query.kind.includes(s.kind))
        && (!query.wasteClass || s.wasteClasses.some((c) => query.wasteClass!.includes(c)))
        && (!query.district || (s.district !== undefined && query.district.includes(s.district)))
        && (!query.motion || query.motion.includes(s.motion)));
      return { items, total: items.length };
    },
  });

  api.add({
    method: 'get', path: '/vehicles/:id/track', roles: ['admin', 'dispatcher', 'enforcement', 'driver'], params: z.strictObject({ id: entityId }), query: trackQuery,
    summary: "A vehicle's track for a time range as GeoJSON (path line + fixes with attributes); simplifyM / maxPoints downsample",
    handler: async ({ params, query, principal }) => {
      assertOwnVehicle(principal, params.id);
      if (!tracking.directory.hasVehicle(params.id)) throw new ApiError(404, 'vehicle not found', [{ path: 'params.id', message: `no vehicle with id "${params.id}"` }]);
      assertInFleetScope(principal, tracking.tracker.get(params.id));
      return queryTrack(deps.db, params.id, { fromMs: Date.parse(query.from), toMs: Date.parse(query.to), simplifyM: query.simplifyM, maxPoints: query.maxPoints });
    },
  });

  api.add({
    method: 'get', path: '/ingest/stats', roles: ['admin'], summary: 'Fixes accepted, duplicates and rejects by reason since start; position-log backlog',
    handler: () => tracking.pipeline.stats(),
  });

  if (deps.sendText) {
    const sendText = deps.sendText;
    api.add({
      method: 'post', path: '/vehicles/:id/messages', roles: ['admin', 'dispatcher'], params: z.strictObject({ id: entityId }),
      body: z.strictObject({ text: z.string().min(1).max(500) }),
      summary: "Send a text to the vehicle's in-cab terminal (JT/T 808 0x8300); answers with the terminal's reply",
      handler: async ({ params, body, principal }) => {
        if (!tracking.directory.hasVehicle(params.id)) throw new ApiError(404, 'vehicle not found', [{ path: 'params.id', message: `no vehicle with id "${params.id}"` }]);
        assertInFleetScope(principal, tracking.tracker.get(params.id));
        try {
          const reply = await sendText(params.id, body.text);
          return { delivered: reply.result === 0, terminalResult: reply.result };
        } catch (err) {
          throw new ApiError(409, 'terminal not reachable', [{ path: 'params.id', message: (err as Error).message }]);
        }
      },
    });
  }
}

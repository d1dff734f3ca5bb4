import { z } from 'zod';
import type { CityProfile } from '../domain/city-profile.js';
import { entityId } from '../domain/model.js';
import type { Principal, Role } from '../domain/principal.js';
import type { Db } from '../store/db.js';
import type { CityRepo } from '../store/city-repo.js';
import { resources } from '../store/resources.js';
import type { UserStore } from '../auth/users.js';
import { buildEvidence, type EvidenceLookups } from '../compliance/evidence.js';
import { evidencePageHtml } from '../compliance/evidence-page.js';
import type { IncidentType } from '../compliance/incident-event.js';
import type { IncidentChange, IncidentFeed } from '../compliance/incident-sink.js';
import {
  dispositions, incidentFigures, incidentStatuses, IncidentTransitionError, type Incident, type IncidentAction, type IncidentStore,
} from '../compliance/incident-store.js';
import { incidentScopeOf, incidentInScope } from '../compliance/incident-scope.js';
import { localDayStartMs } from '../tracking/local-day.js';
import { ApiError, notFound } from './errors.js';
import { actorOf } from './plan-routes.js';
import type { ApiRoutes } from './routes.js';

/**
 * The enforcement desk's API (issue 13): incidents with filters and paging, one incident
 * with its officers' log, its evidence chain (GeoJSON and a printable page), and the
 * officers' actions. Enforcement and admins act; dispatchers read their fleet's incidents
 * (narrowed by their contractor and district when their account has them); drivers nothing.
 */
export interface IncidentRouteDeps {
  db: Db;
  repo: CityRepo;
  users: UserStore;
  incidents: IncidentStore;
  feed: IncidentFeed;
  profile(): CityProfile;
}

export const INCIDENT_READ: readonly Role[] = ['admin', 'enforcement', 'dispatcher'];
export const INCIDENT_ACT: readonly Role[] = ['admin', 'enforcement'];

export const incidentTypes = ['off_route', 'outside_hours', 'uncovered', 'spill', 'illegal_dumping', 'speeding', 'restricted_zone', 'no_permit', 'wrong_site', 'missed_collection', 'sweeping_gap'] as const satisfies readonly IncidentType[];

const idParams = z.strictObject({ id: entityId });
const note = z.string().trim().min(1).max(2000);

const listQuery = z.strictObject({
  type: z.enum(incidentTypes).optional(),
  status: z.enum(incidentStatuses).optional(),
  /** true: not closed by an officer (open, acknowledged or assigned) */
  active: z.enum(['true', 'false']).optional(),
  vehicleId: entityId.optional(),
  contractor: z.string().min(1).max(200).optional(),
  district: z.string().min(1).max(100).optional(),
  /** incidents overlapping [from, to) */
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
}).refine((q) => !q.from || !q.to || Date.parse(q.from) < Date.parse(q.to), { message: 'from must be before to', path: ['to'] });

const figuresQuery = z.strictObject({
  /** YYYY-MM: the local month */
  month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'expected YYYY-MM').optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
}).refine((q) => (q.month ? !q.from && !q.to : !!q.from && !!q.to), { message: 'give month, or from and to', path: ['month'] })
  .refine((q) => !q.from || !q.to || Date.parse(q.from) < Date.parse(q.to), { message: 'from must be before to', path: ['to'] });

const actionBodies = {
  acknowledge: z.strictObject({ note: note.optional() }),
  assign: z.strictObject({ userId: entityId, note: note.optional() }),
  close: z.strictObject({ disposition: z.enum(dispositions), note }),
  reopen: z.strictObject({ note }),
} satisfies Record<IncidentAction, z.ZodType>;

const changeOf: Record<IncidentAction, IncidentChange> = { acknowledge: 'acknowledged', assign: 'assigned', close: 'closed', reopen: 'reopened' };

export function evidenceLookups(repo: CityRepo): EvidenceLookups {
  return {
    permit: (id) => repo.get(resources.permits, id),
    zone: (id) => repo.get(resources['restricted-zones'], id),
    facility: (id) => repo.get(resources.facilities, id),
    site: (id) => repo.get(resources['construction-sites'], id),
    vehicle: (id) => repo.get(resources.vehicles, id),
    collectionPoint: (id) => repo.get(resources['collection-points'], id),
    roadSegment: (id) => repo.get(resources['road-segments'], id),
  };
}

export function addIncidentRoutes(api: ApiRoutes, deps: IncidentRouteDeps): void {
  /** The incident when the caller may see it; a dispatcher asking for another fleet's gets 404, as for a missing one. */
  const visible = async (id: string, principal: Principal | undefined): Promise<Incident> => {
    const incident = await deps.incidents.get(id);
    if (!incident || !principal || !incidentInScope(incidentScopeOf(principal), incident)) throw notFound('incident', id);
    return incident;
  };
  /** One evidence chain for both its forms (GeoJSON and the printable page). */
  const evidenceOf = async (id: string, principal: Principal | undefined) => {
    const incident = await visible(id, principal);
    return { incident, evidence: await buildEvidence(deps.db, evidenceLookups(deps.repo), incident, await deps.incidents.log(incident.id)) };
  };

  api.add({
    method: 'get', path: '/incidents', roles: INCIDENT_READ, query: listQuery,
    summary: 'Incidents newest first, by type, status (active=true: not closed), vehicle, contractor, district and time (from/to: overlapping); dispatchers: their fleet only',
    handler: async ({ query, principal }) => {
      const scope = incidentScopeOf(principal!);
      const ask = { contractor: query.contractor, district: query.district };
      // a scope narrows; a filter that asks outside it matches nothing
      for (const k of ['contractor', 'district'] as const) {
        if (scope[k] !== undefined && ask[k] !== undefined && ask[k] !== scope[k]) return { items: [], total: 0, limit: query.limit, offset: query.offset };
      }
      const { items, total } = await deps.incidents.list({
        type: query.type, status: query.status, active: query.active === 'true', vehicleId: query.vehicleId,
        contractor: scope.contractor ?? ask.contractor, district: scope.district ?? ask.district,
        fromMs: query.from ? Date.parse(query.from) : undefined, toMs: query.to ? Date.parse(query.to) : undefined,
        limit: query.limit, offset: query.offset,
      });
      return { items, total, limit: query.limit, offset: query.offset };
    },
  });

  api.add({
    method: 'get', path: '/incidents/figures', roles: INCIDENT_READ, query: figuresQuery,
    summary: 'Enforcement figures for a month (local, the city zone) or from/to: per type and contractor (the ranking, most first), the spill detection-and-handling rate',
    handler: async ({ query, principal }) => {
      const scope = incidentScopeOf(principal!);
      let fromMs: number;
      let toMs: number;
      if (query.month) {
        const [y, m] = query.month.split('-').map(Number) as [number, number];
        const tz = deps.profile().timeZone;
        // local midnight of the 1st (noon UTC lies on that local date within ±11 h)
        fromMs = localDayStartMs(Date.UTC(y, m - 1, 1, 12), tz);
        toMs = localDayStartMs(Date.UTC(y, m, 1, 12), tz);
      } else {
        fromMs = Date.parse(query.from!);
        toMs = Date.parse(query.to!);
      }
      return { ...(query.month ? { month: query.month } : {}), ...(await incidentFigures(deps.db, { fromMs, toMs, contractor: scope.contractor, district: scope.district })) };
    },
  });

  api.add({
    method: 'get', path: '/incidents/:id', roles: INCIDENT_READ, params: idParams,
    summary: "One incident with the officers' log (who, when, what, note)",
    handler: async ({ params, principal }) => {
      const incident = await visible(params.id, principal);
      return { ...incident, log: await deps.incidents.log(incident.id) };
    },
  });

  api.add({
    method: 'get', path: '/incidents/:id/evidence', roles: INCIDENT_READ, params: idParams,
    summary: 'The evidence chain as GeoJSON: track snippet (fixes involved flagged, 2 min margin), corridor / zone / facility, status series (load, cover, lift, speed), thresholds, log',
    handler: async ({ params, principal, res }) => {
      const { incident, evidence } = await evidenceOf(params.id, principal);
      res.type('application/geo+json');
      res.setHeader('content-disposition', `inline; filename="incident-${incident.id}.geojson"`);
      res.status(200).send(JSON.stringify(evidence));
    },
  });

  api.add({
    method: 'get', path: '/incidents/:id/print', roles: INCIDENT_READ, params: idParams,
    summary: 'The evidence chain as a printable HTML page (the same facts as the GeoJSON export)',
    handler: async ({ params, principal, res }) => {
      const { incident, evidence } = await evidenceOf(params.id, principal);
      res.type('html');
      res.setHeader('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; img-src data:");
      res.status(200).send(evidencePageHtml(evidence, deps.profile().timeZone));
    },
  });

  for (const action of ['acknowledge', 'assign', 'close', 'reopen'] as const) {
    api.add({
      method: 'post', path: `/incidents/:id/${action}`, roles: INCIDENT_ACT, params: idParams, body: actionBodies[action] as z.ZodType<Record<string, any>>,
      summary: {
        acknowledge: 'Acknowledge an open incident (open → acknowledged); logged with who and when',
        assign: 'Assign an incident to an officer (an enforcement or admin user); logged',
        close: 'Close an incident with a disposition and a note; logged',
        reopen: 'Reopen a closed incident, with a note; logged',
      }[action],
      handler: async ({ params, body, principal }) => {
        await visible(params.id, principal);
        if (action === 'assign') {
          const user = await deps.users.get(body.userId);
          if (!user || user.disabledAt) throw new ApiError(422, 'unknown user', [{ path: 'body.userId', message: `no active user with id "${body.userId}"` }], 'reference.broken');
          if (user.role !== 'enforcement' && user.role !== 'admin') throw new ApiError(422, 'not an officer', [{ path: 'body.userId', message: `user "${user.name}" is ${user.role}: incidents go to enforcement officers or admins` }], 'rule.violated');
        }
        try {
          const updated = await deps.incidents.act(params.id, action, { actor: actorOf(principal), role: principal!.role }, {
            note: body.note, disposition: body.disposition, assignedTo: body.userId,
          });
          if (!updated) throw notFound('incident', params.id);
          deps.feed.emit('incident', { change: changeOf[action], incident: updated });
          return { ...updated, log: await deps.incidents.log(updated.id) };
        } catch (err) {
          if (err instanceof IncidentTransitionError) throw new ApiError(409, err.message, [{ path: 'params.id', message: `the incident is ${err.status}` }], 'conflict');
          throw err;
        }
      },
    });
  }
}

import { z } from 'zod';
import { entityId } from '../domain/model.js';
import { pointGeometry } from '../domain/geo.js';
import type { Role } from '../domain/principal.js';
import type { IncidentFeed } from '../compliance/incident-sink.js';
import { DEFAULT_SPILL_RADIUS_M, DEFAULT_SPILL_WINDOW_S } from '../compliance/spill-match.js';
import { reporterKinds, type SpillReports } from '../compliance/spill-reports.js';
import { ApiError, notFound } from './errors.js';
import { actorOf } from './plan-routes.js';
import type { ApiRoutes } from './routes.js';

/**
 * Spill reports (issue 13): a sweeper (a driver's account), an officer, or a citizen's report
 * relayed by the city's hotline integration posts where and when; the answer carries the muck
 * trucks that passed, ranked (src/compliance/spill-match.ts documents the score), and the spill
 * incident raised from it. Drivers may report but see no candidates (other fleets' trucks).
 */
export const SPILL_REPORT_ROLES: readonly Role[] = ['admin', 'enforcement', 'dispatcher', 'driver'];
const SPILL_READ: readonly Role[] = ['admin', 'enforcement'];
/** A photo inline is a small image: larger ones go by URL. */
export const MAX_PHOTO_BYTES = 256 * 1024;
const MAX_PHOTO_CHARS = Math.ceil(MAX_PHOTO_BYTES / 3) * 4 + 40;

const photo = z.string().max(MAX_PHOTO_CHARS, `an inline photo is at most ${MAX_PHOTO_BYTES / 1024} KiB (send a URL for larger ones)`).refine(
  (s) => /^data:image\/(jpeg|png|webp);base64,[A-Za-z0-9+/]+={0,2}$/.test(s) || (/^https:\/\/\S+$/.test(s) && s.length <= 2000),
  'a photo is a data:image/(jpeg|png|webp);base64 URL or an https URL (at most 2000 characters)',
);

const reportBody = z.strictObject({
  location: pointGeometry,
  /** when the spill was seen; default: now */
  reportedAt: z.iso.datetime({ offset: true }).optional(),
  reporterKind: z.enum(reporterKinds),
  note: z.string().trim().min(1).max(2000).optional(),
  photo: photo.optional(),
  radiusM: z.number().finite().min(10).max(2_000).default(DEFAULT_SPILL_RADIUS_M),
  windowMin: z.number().finite().min(5).max(24 * 60).default(DEFAULT_SPILL_WINDOW_S / 60),
});

const listQuery = z.strictObject({
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

export function addSpillRoutes(api: ApiRoutes, deps: { spills: SpillReports; feed: IncidentFeed; now?: () => number }): void {
  const now = deps.now ?? Date.now;
  api.add({
    method: 'post', path: '/spill-reports', roles: SPILL_REPORT_ROLES, body: reportBody, successStatus: 201,
    bodyLimitBytes: MAX_PHOTO_CHARS + 16_000,
    summary: 'Report a spill (location, time, reporter kind, note, photo as a small data URL or an https URL): matched to the muck trucks that passed, ranked; raises a spill incident',
    handler: async ({ body, principal }) => {
      const reportedAtMs = body.reportedAt ? Date.parse(body.reportedAt) : now();
      if (reportedAtMs > now() + 5 * 60_000) throw new ApiError(400, 'invalid request', [{ path: 'body.reportedAt', message: 'a spill cannot be seen in the future' }]);
      const { report, incident } = await deps.spills.report({
        reportedAtMs, lon: body.location.coordinates[0], lat: body.location.coordinates[1], reporterKind: body.reporterKind,
        note: body.note, photo: body.photo, reportedBy: actorOf(principal), radiusM: body.radiusM, windowS: Math.round(body.windowMin * 60),
      });
      deps.feed.emit('incident', { change: 'opened', incident });
      if (principal!.role === 'driver') return { status: 201, body: { id: report.id, reportedAt: report.reportedAt, incidentId: incident.id } };
      return { status: 201, headers: { location: `/api/v1/spill-reports/${report.id}` }, body: report };
    },
  });

  api.add({
    method: 'get', path: '/spill-reports', roles: SPILL_READ, query: listQuery,
    summary: 'Spill reports newest first, with their ranked candidates and incident',
    handler: async ({ query }) => {
      const { items, total } = await deps.spills.list({
        fromMs: query.from ? Date.parse(query.from) : undefined, toMs: query.to ? Date.parse(query.to) : undefined, limit: query.limit, offset: query.offset,
      });
      return { items, total, limit: query.limit, offset: query.offset };
    },
  });

  api.add({
    method: 'get', path: '/spill-reports/:id', roles: SPILL_READ, params: z.strictObject({ id: entityId }),
    summary: 'One spill report with its ranked candidates (score and its terms) and its incident',
    handler: async ({ params }) => {
      const report = await deps.spills.get(params.id);
      if (!report) throw notFound('spill report', params.id);
      return report;
    },
  });
}

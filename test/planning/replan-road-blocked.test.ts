import { describe, expect, it } from 'vitest';
import { validateSolution } from '../../solver/index.js';
import { waitForJob } from '../helpers/plans.js';
import { demoCityForFile } from '../helpers/service.js';

/**
 * A blocked road as a re-planning event (issue 12 item 6) on the demo city: a street the plan
 * in force sweeps and drives along is closed from the start of the day; the new version routes
 * around it, lists its sweeping as `road_blocked`, and the diff shows the stop taken off its vehicle.
 */
const round6 = (x: number) => Math.round(x * 1e6) / 1e6;
const key = (c: number[]) => `${round6(c[0]!)},${round6(c[1]!)}`;

describe('re-planning after a road is blocked', () => {
  const city = demoCityForFile();

  it('routes around the blocked street, leaves its work out as road_blocked and shows what moved', async () => {
    const { svc, dispatcher } = city;
    const asked = await svc.call('POST', '/api/v1/plans', { token: dispatcher, body: { date: '2026-12-01', district: 'Fontvieille', iterations: 100, seed: 3 } });
    expect((await waitForJob(svc, dispatcher, asked.body.jobId)).status).toBe('done');
    const baseId = asked.body.planId;
    expect((await svc.call('POST', `/api/v1/plans/${baseId}/publish`, { token: dispatcher })).status).toBe(200);
    const base = (await svc.call('GET', `/api/v1/plans/${baseId}`, { token: dispatcher })).body;
    const baseLines = base.routes.features.filter((f: any) => f.properties.kind === 'route');
    const onBase = new Set<string>(baseLines.flatMap((f: any) => f.geometry.coordinates.map(key)));

    // a street the plan sweeps, with shape points of its own that a route line passes through
    const swept = new Map<string, string>();
    for (const r of base.solution.routes) for (const s of r.stops) if (s.type === 'sweep' && s.id.startsWith('sweep:')) swept.set(s.id.slice('sweep:'.length), r.vehicleId);
    const segments = (await svc.db.query<{ doc: any }>(`select doc from road_segments where district = 'Fontvieille' order by id`)).rows.map((r) => r.doc);
    const inner = (seg: any): string[] => seg.geometry.coordinates.slice(1, -1).map(key);
    const street = segments.find((seg) => swept.has(seg.id) && inner(seg).length > 0 && inner(seg).every((k) => onBase.has(k)));
    expect(street).toBeDefined();

    // bad input: nothing named, or a segment that is not stored
    const none = await svc.call('POST', `/api/v1/plans/${baseId}/replan`, { token: dispatcher, body: { event: { kind: 'road_blocked' } } });
    expect(none.status).toBe(400);
    expect(none.body.details[0].path).toBe('body.event');
    const unknown = await svc.call('POST', `/api/v1/plans/${baseId}/replan`, { token: dispatcher, body: { event: { kind: 'road_blocked', roadSegmentIds: ['no-such-road'] } } });
    expect(unknown.status).toBe(422);
    expect(unknown.body.details[0].path).toBe('body.event.roadSegmentIds.0');

    const at = '2026-12-01T00:00:00+08:00';
    const replan = await svc.call('POST', `/api/v1/plans/${baseId}/replan`, { token: dispatcher, body: { event: { kind: 'road_blocked', roadSegmentIds: [street.id] }, at, iterations: 100, seed: 3 } });
    expect(replan.status).toBe(202);
    const job = await waitForJob(svc, dispatcher, replan.body.jobId);
    expect(job.error).toBeNull();
    const plan = (await svc.call('GET', `/api/v1/plans/${replan.body.planId}`, { token: dispatcher })).body;
    expect(plan).toMatchObject({ status: 'draft', valid: true });
    const stored = (await svc.call('GET', `/api/v1/plans/${replan.body.planId}/problem`, { token: dispatcher })).body;
    expect(validateSolution(stored.problem, stored.solution).violations).toEqual([]);

    // no route of the new version runs along the blocked street
    const after = new Set<string>(plan.routes.features.filter((f: any) => f.properties.kind === 'route').flatMap((f: any) => f.geometry.coordinates.map(key)));
    expect(inner(street).filter((k) => after.has(k))).toEqual([]);
    // its sweeping cannot be done and says why; nothing else is left out for that reason
    const blocked = plan.unserved.filter((u: any) => u.reason === 'road_blocked');
    expect(blocked.map((u: any) => u.recordId)).toContain(street.id);
    expect(plan.solution.routes.flatMap((r: any) => r.stops).some((s: any) => s.id === `sweep:${street.id}`)).toBe(false);

    const diff = (await svc.call('GET', `/api/v1/plans/${replan.body.planId}/diff`, { token: dispatcher })).body;
    expect(diff.event).toMatchObject({ kind: 'road_blocked', roadSegmentIds: [street.id] });
    expect(diff.blocked.networkSegments).toBeGreaterThan(0);
    expect(diff.blocked.networkSegments).toBeLessThan(street.geometry.coordinates.length);
    expect(diff.blocked.unmatchedRoadSegmentIds).toEqual([]);
    // the vehicle that swept it loses that stop in the diff
    const sweeper = diff.vehicles.find((v: any) => v.vehicleId === swept.get(street.id));
    expect(sweeper.removed).toContain(`sweep:sweep:${street.id}`);
  }, 600_000);
});

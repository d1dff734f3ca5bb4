import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { Principal } from '../../src/domain/principal.js';
import { IncidentFeed, type IncidentNotice } from '../../src/compliance/incident-sink.js';
import type { Incident } from '../../src/compliance/incident-store.js';
import { attachIncidentRoom } from '../../src/live/incident-room.js';
import { describeWith, serverUrls } from '../helpers/servers.js';
import { client, principals, sleep, startHub, until, type HubFixture, type LiveClient } from './fixtures.js';

/**
 * The enforcement room: incidents reach enforcement, admins and dispatchers of the incident's
 * fleet (a dispatcher narrowed to a contractor: that contractor's only), never drivers; with
 * Redis, a client of another instance gets each once.
 */
const people: Record<string, Principal> = {
  ...principals,
  'tok-acme': { credential: 'session', tokenId: 's1', role: 'dispatcher', contractor: 'Acme' },
  'tok-acme-north': { credential: 'session', tokenId: 's2', role: 'dispatcher', contractor: 'Acme', district: 'North' },
};
const tokens = { verify: async (t: string) => people[t] ?? null };

function incident(id: string, contractor?: string, district?: string): Incident {
  return {
    id, key: `speeding:v:${id}`, type: 'speeding', vehicleId: 'v', ...(contractor ? { contractor } : {}), ...(district ? { district } : {}),
    startAt: '2026-11-30T15:00:00.000Z', lastEventAt: '2026-11-30T15:01:00.000Z', level: 1, status: 'open', detection: 'open',
    fixIds: [], thresholds: {}, details: {}, createdAt: '2026-11-30T15:01:00.000Z', updatedAt: '2026-11-30T15:01:00.000Z',
  };
}

const hubs: HubFixture[] = [];
const clients: LiveClient[] = [];
const detach: Array<() => void> = [];
afterEach(async () => {
  for (const d of detach.splice(0)) d();
  for (const c of clients.splice(0)) c.socket.close();
  for (const h of hubs.splice(0)) await h.close();
});

function listen(url: string, token: string): { c: LiveClient; got: IncidentNotice[] } {
  const c = client(url, { token });
  clients.push(c);
  const got: IncidentNotice[] = [];
  c.socket.on('incident', (n: IncidentNotice) => got.push(n));
  return { c, got };
}

describe('live: the enforcement room', () => {
  it('sends each incident to enforcement, admins and the dispatchers of its fleet, once; drivers get none', async () => {
    const fx = await startHub({ tokens });
    hubs.push(fx);
    const feed = new IncidentFeed();
    detach.push(attachIncidentRoom(fx.hub.io, feed));
    const who = ['tok-enforce', 'tok-admin', 'tok-dispatch', 'tok-acme', 'tok-acme-north', 'tok-driver'];
    const listeners = Object.fromEntries(who.map((t) => [t, listen(fx.url, t)]));
    await Promise.all(Object.values(listeners).map((l) => l.c.ready));
    feed.emit('incident', { change: 'opened', incident: incident('i1', 'Acme', 'North') });
    feed.emit('incident', { change: 'opened', incident: incident('i2', 'Acme', 'South') });
    feed.emit('incident', { change: 'opened', incident: incident('i3', 'Other') });
    feed.emit('incident', { change: 'closed', incident: incident('i1', 'Acme', 'North') });
    await until(() => listeners['tok-enforce']!.got.length === 4 && listeners['tok-acme-north']!.got.length === 2);
    await sleep(200);
    const seen = (t: string) => listeners[t]!.got.map((n) => `${n.incident.id}:${n.change}`);
    const all = ['i1:opened', 'i2:opened', 'i3:opened', 'i1:closed'];
    expect(seen('tok-enforce')).toEqual(all);
    expect(seen('tok-admin')).toEqual(all);
    expect(seen('tok-dispatch')).toEqual(all);
    expect(seen('tok-acme')).toEqual(['i1:opened', 'i2:opened', 'i1:closed']);
    expect(seen('tok-acme-north')).toEqual(['i1:opened', 'i1:closed']);
    expect(seen('tok-driver')).toEqual([]);
  });
});

describeWith('redis', 'live: the enforcement room over Redis', () => {
  it('an incident raised on instance A reaches an officer connected to instance B, once', async () => {
    const redisKey = `sanifleet-test-${randomBytes(6).toString('hex')}`;
    const a = await startHub({ tokens, redisUrl: serverUrls.redis, redisKey });
    hubs.push(a);
    const b = await startHub({ tokens, redisUrl: serverUrls.redis, redisKey });
    hubs.push(b);
    const feedA = new IncidentFeed();
    detach.push(attachIncidentRoom(a.hub.io, feedA), attachIncidentRoom(b.hub.io, new IncidentFeed()));
    const onB = listen(b.url, 'tok-enforce');
    const acmeOnB = listen(b.url, 'tok-acme');
    const onA = listen(a.url, 'tok-enforce');
    await Promise.all([onB.c.ready, onA.c.ready, acmeOnB.c.ready]);
    feedA.emit('incident', { change: 'opened', incident: incident('i9', 'Other') });
    await until(() => onB.got.length > 0 && onA.got.length > 0, 5000);
    await sleep(300);
    expect(onB.got.map((n) => n.incident.id)).toEqual(['i9']);
    expect(onA.got.map((n) => n.incident.id)).toEqual(['i9']);
    expect(acmeOnB.got).toEqual([]);
  });
});

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LAST_USED_WRITE_INTERVAL_MS, TokenStore } from '../../src/auth/api-tokens.js';
import type { Db } from '../../src/store/db.js';
import { describeEachBackend, openTestStore, type TestStore } from '../helpers/backends.js';
import { startTestService, type TestService } from '../helpers/service.js';
import { client, principals, refusal, startHub, until, type HubFixture } from '../live/fixtures.js';

/**
 * API tokens may expire: an expired token is refused over REST and socket.io, a live
 * socket is cut when its token's time is up, and each token's last use is stamped at
 * most once a minute (the clock is injected: no test waits for a minute).
 */
describeEachBackend('token expiry and last use in the store [%s]', (backend) => {
  let store: TestStore;
  let db: Db;
  let nowMs = Date.parse('2026-03-01T08:00:00Z');
  let tokens: TokenStore;

  beforeAll(async () => {
    store = await openTestStore(backend);
    db = store.db;
    tokens = new TokenStore(db, { now: () => nowMs });
  });
  afterAll(async () => {
    await store?.close();
  });

  const lastUsed = async (id: string) =>
    (await db.query<{ t: Date | null }>('select last_used_at as t from api_tokens where id = $1', [id])).rows[0]!.t;

  it('accepts a token until its expiry and refuses it as expired from then on, cached or not', async () => {
    const issued = await tokens.issue({ role: 'dispatcher', label: 'a week', expiresAt: new Date(nowMs + 7 * 86_400_000) });
    expect(issued.expiresAt).toBe(new Date(nowMs + 7 * 86_400_000).toISOString());
    expect((await tokens.verify(issued.token))?.tokenId).toBe(issued.tokenId);
    expect(await tokens.countActive('dispatcher')).toBe(1);
    nowMs += 7 * 86_400_000 - 1;
    expect(await tokens.check(issued.token)).toMatchObject({ principal: { tokenId: issued.tokenId } });
    nowMs += 1;
    // The lookup from a moment ago is still cached: expiry is judged on every use anyway.
    expect(await tokens.check(issued.token)).toEqual({ refused: 'expired' });
    expect(await tokens.verify(issued.token)).toBeNull();
    expect(await tokens.countActive('dispatcher')).toBe(0);
    const fresh = new TokenStore(db, { now: () => nowMs });
    expect(await fresh.check(issued.token)).toEqual({ refused: 'expired' });
    expect(await fresh.check('sf_not-a-token')).toEqual({ refused: 'invalid' });
  });

  it('stamps last use on first use, then at most once a minute', async () => {
    const issued = await tokens.issue({ role: 'enforcement' });
    expect(await lastUsed(issued.tokenId)).toBeNull();
    await tokens.verify(issued.token);
    await tokens.settle();
    const first = await lastUsed(issued.tokenId);
    expect(new Date(first!).getTime()).toBe(nowMs);
    nowMs += LAST_USED_WRITE_INTERVAL_MS - 1_000;
    for (let i = 0; i < 20; i++) await tokens.verify(issued.token);
    await tokens.settle();
    expect(new Date((await lastUsed(issued.tokenId))!).getTime()).toBe(new Date(first!).getTime());
    nowMs += 1_000;
    await tokens.verify(issued.token);
    await tokens.settle();
    expect(new Date((await lastUsed(issued.tokenId))!).getTime()).toBe(nowMs);
    const listed = (await tokens.list()).find((t) => t.tokenId === issued.tokenId)!;
    expect(listed).toMatchObject({ expiresAt: null, lastUsedAt: new Date(nowMs).toISOString(), revokedAt: null });
  });
});

describeEachBackend('expired tokens over REST and socket.io [%s]', (backend) => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService({ backend });
  });
  afterAll(() => svc?.stop());

  it('issues a token with an expiry through the API and lists it with its last use', async () => {
    const expiresAt = new Date(Date.now() + 3 * 86_400_000).toISOString();
    const res = await svc.call('POST', '/api/v1/tokens', { token: svc.adminToken, body: { role: 'dispatcher', label: 'three days', expiresAt } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.expiresAt).toBe(expiresAt);
    expect((await svc.call('GET', '/api/v1/fleet/state', { token: res.body.token })).status).toBe(200);
    await svc.tokens.settle();
    const listed = (await svc.call('GET', '/api/v1/tokens', { token: svc.adminToken })).body.items.find((t: any) => t.tokenId === res.body.tokenId);
    expect(listed.expiresAt).toBe(expiresAt);
    expect(listed.lastUsedAt).not.toBeNull();
    expect(listed.token).toBeUndefined();
    const past = await svc.call('POST', '/api/v1/tokens', { token: svc.adminToken, body: { role: 'dispatcher', expiresAt: '2020-01-01T00:00:00Z' } });
    expect(past.status).toBe(400);
    expect(past.body.details.map((d: any) => d.path)).toEqual(['body.expiresAt']);
  });

  it('refuses an expired token over REST (401 "token expired") and over socket.io', async () => {
    const expired = await svc.tokens.issue({ role: 'dispatcher', label: 'old', expiresAt: new Date(Date.now() - 1_000) });
    const res = await svc.call('GET', '/api/v1/fleet/state', { token: expired.token });
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('token expired');
    expect(res.body.details[0].path).toBe('headers.authorization');
    const err = await refusal(svc.url, { token: expired.token });
    expect(err.message).toBe('unauthorized');
    const live = await svc.tokens.issue({ role: 'dispatcher', label: 'current', expiresAt: new Date(Date.now() + 3_600_000) });
    const c = client(svc.url, { token: live.token });
    try {
      await c.ready;
    } finally {
      c.socket.close();
    }
  });
});

describe('live hub: a socket is cut when its credential expires', () => {
  let fx: HubFixture | undefined;
  afterEach(async () => {
    delete principals['tok-short'];
    await fx?.close();
  });

  it('disconnects at the expiry, long before the periodic recheck', async () => {
    // The recheck runs hourly here: only the expiry itself can end this connection in time.
    fx = await startHub({ recheckTokensMs: 3_600_000 });
    principals['tok-short'] = { credential: 'session', tokenId: 't-short', role: 'dispatcher', expiresAtMs: Date.now() + 300 };
    const c = client(fx.url, { token: 'tok-short' });
    await c.ready;
    expect(c.socket.connected).toBe(true);
    await until(() => !c.socket.connected, 3_000);
    c.socket.close();
  });
});

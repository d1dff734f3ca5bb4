import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { importCity } from '../../src/api/import-router.js';
import { defaultCityProfile } from '../../src/domain/city-profile.js';
import { TerminalProfiles, type GeneralReply } from '../../src/ingest/jt808/index.js';
import { MAX_ATTEMPTS, RouteTexts } from '../../src/jobs/route-texts.js';
import { CityRepo } from '../../src/store/city-repo.js';
import { ProfileRepo } from '../../src/store/profile-repo.js';
import { describeEachBackend, openTestStore, type TestStore } from '../helpers/backends.js';
import { smallCity } from '../helpers/city-fixture.js';
import { insertRoutePlan } from '../helpers/route-plan.js';

/**
 * The route-text queue on each store, with a terminal gateway the test controls: a terminal
 * that is offline keeps its chunks queued; a send that gets no answer goes back to the queue and
 * is tried again when the terminal reconnects (not on every position), and after MAX_ATTEMPTS
 * the text is recorded undelivered; a terminal's refusal (result ≠ 0) is stored, not retried;
 * a chunk left 'sent' by a stopped instance is queued again.
 */
describeEachBackend('route texts to terminals (%s)', (backend) => {
  let store: TestStore;
  let clockMs = Date.UTC(2026, 11, 1, 0, 0);
  const online = new Set<string>();
  let answer: (terminalId: string, text: string) => Promise<GeneralReply>;
  const sent: Array<{ terminalId: string; text: string }> = [];
  let texts: RouteTexts;

  beforeAll(async () => {
    store = await openTestStore(backend);
    const city = smallCity();
    (city.vehicles[0] as Record<string, unknown>).terminalModel = 'tiny';
    const profiles = new ProfileRepo(store.db);
    profiles.use(defaultCityProfile());
    await importCity(store.db, new CityRepo(store.db), profiles, city);
    texts = new RouteTexts({
      db: store.db, logger: pino({ level: 'silent' }), now: () => clockMs, sweepMs: 3_600_000,
      profiles: new TerminalProfiles({ tiny: { name: 'tiny', textMaxBytes: 100 } }),
      gateway: {
        isOnline: (t) => online.has(t),
        sendText: (terminalId, text) => {
          sent.push({ terminalId, text });
          return answer(terminalId, text);
        },
      },
    });
  });
  afterAll(async () => {
    await texts?.close();
    await store?.close();
  });

  const rows = async (vehicleId: string) => (await texts.list({ planId: 'p1', vehicleId }));

  it('queues every chunk while the terminals are offline', async () => {
    await insertRoutePlan(store.db, { id: 'p1', date: '2026-12-01' });
    await store.db.query(`update plans set status = 'published' where id = 'p1'`);
    const r = await texts.planPublished('p1');
    expect(r.noTerminal).toEqual([]);
    const col1 = await rows('col-1');
    expect(col1.length).toBeGreaterThan(3);
    expect(col1.every((m) => m.status === 'queued' && m.attempts === 0 && m.gbkBytes <= 100)).toBe(true);
    expect(r.queued).toBe(col1.length + (await rows('col-2')).length);
    // publishing again writes nothing twice
    expect((await texts.planPublished('p1')).queued).toBe(0);
    expect(sent).toEqual([]);
  });

  it('a silent terminal: back to the queue, tried again on reconnect (not on each position), undelivered after the last try', async () => {
    answer = () => Promise.reject(new Error('terminal 13800000001 did not answer 0x8300 within 30000 ms'));
    online.add('13800000001');
    texts.terminalOnline('13800000001', true);
    await texts.flush('13800000001');
    let col1 = await rows('col-1');
    expect(col1[0]).toMatchObject({ status: 'queued', attempts: 1, lastError: expect.stringContaining('did not answer') });
    expect(sent).toHaveLength(1);
    // positions keep coming: no new try within the pause
    texts.terminalOnline('13800000001');
    await texts.sweep();
    expect(sent).toHaveLength(1);
    for (let i = 2; i <= MAX_ATTEMPTS; i++) {
      texts.terminalOnline('13800000001', true); // the terminal reconnected
      await texts.flush('13800000001');
      expect(sent).toHaveLength(i);
    }
    clockMs += 6 * 60_000; // after the pause a position is enough
    texts.terminalOnline('13800000001');
    await texts.flush('13800000001');
    col1 = await rows('col-1');
    expect(col1.every((m) => m.status === 'undelivered')).toBe(true);
    expect(col1[0]!.attempts).toBe(MAX_ATTEMPTS);
    expect(sent).toHaveLength(MAX_ATTEMPTS);
  });

  it("stores a terminal's refusal as its answer, and queues again a chunk a stopped instance left 'sent'", async () => {
    answer = async () => ({ replySerial: 42, replyMsgId: 0x8300, result: 1 });
    online.add('13800000002');
    await store.db.query(`update terminal_messages set status = 'sent', sent_at = now() - interval '10 minutes' where vehicle_id = 'col-2'`);
    await texts.sweep();
    const col2 = await rows('col-2');
    expect(col2).toMatchObject([{ status: 'replied', replyResult: 1, replySerial: 42, attempts: 1 }]);
    expect(sent.at(-1)!.terminalId).toBe('13800000002');
  });
});

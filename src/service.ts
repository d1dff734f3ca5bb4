import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { defaultCityProfile } from './domain/city-profile.js';
import { openDb, type Db } from './store/db.js';
import { migrate } from './store/migrate.js';
import { ensurePositionPartitions } from './store/positions-partitions.js';
import { CityRepo } from './store/city-repo.js';
import { ProfileRepo } from './store/profile-repo.js';
import { resources } from './store/resources.js';
import { hashToken, roles, TokenStore, type IssuedToken } from './api/auth.js';
import { ApiRoutes } from './api/routes.js';
import { addCityRoutes } from './api/city-router.js';
import { addImportRoute, importCity } from './api/import-router.js';
import { addAdminRoutes } from './api/admin-routes.js';
import { createApp } from './api/app.js';
import { generateDemoCity } from './demo/demo-city.js';
import { Tracking } from './tracking/tracking.js';
import { addIngestRoutes } from './api/ingest-routes.js';
import { Jt808Server, TerminalProfiles } from './ingest/jt808/index.js';
import { normalizeTerminalId } from './tracking/device-directory.js';
import { scheduleJobs } from './jobs/scheduler.js';
import { loadNetwork, type LoadedNetwork } from '../solver/network/index.js';
import { networkProfileFor } from './planning/network-profile.js';
import { addMapRoutes } from './api/map-routes.js';
import { startLiveHub, type LiveHub } from './live/hub.js';

/**
 * The composition root as a function, so tests start the same service main.ts starts:
 * config → store → services → HTTP server.
 */
export interface Service {
  db: Db;
  repo: CityRepo;
  tokens: TokenStore;
  profiles: ProfileRepo;
  api: ApiRoutes;
  httpServer: Server;
  tracking: Tracking;
  /** The road network, loading in the background from start (undefined without OSM_FILE). */
  network?: Promise<LoadedNetwork>;
  live: LiveHub;
  /** undefined when JT808_ENABLED=false */
  jt808?: Jt808Server;
  jt808Port?: number;
  /** Base URL once listening. */
  url: string;
  migrationVersion: number;
  /** Tokens created at this start (admin when none existed, one per role for the demo); shown once. */
  firstStartTokens: IssuedToken[];
  close(): Promise<void>;
}

export const WEB_DIR = fileURLToPath(new URL('../web/dist', import.meta.url));

export async function startService(config: Config, logger: Logger, options: { inMemory?: boolean } = {}): Promise<Service> {
  const startedAtMs = Date.now();
  const db = await openDb({ databaseUrl: config.databaseUrl, dataDir: options.inMemory ? undefined : config.dataDir, logger });
  try {
    const migrationVersion = await migrate(db);
    await ensurePositionPartitions(db, Date.now(), undefined, undefined, logger);
    const repo = new CityRepo(db);
    const profiles = new ProfileRepo(db);
    const tokens = new TokenStore(db);

    // The profile file, when given, is the city's word at every start; else what is stored.
    const stored = await profiles.load();
    const profile = config.cityProfile ?? stored ?? defaultCityProfile();
    if (config.cityProfile || !stored) await profiles.save(profile);
    profiles.use(profile);

    const firstStartTokens: IssuedToken[] = [];
    const empty = (await repo.count(resources.depots)) === 0 && (await repo.count(resources.vehicles)) === 0;
    if (config.demoCity === 'always' || (config.demoCity === 'auto' && empty)) {
      const t0 = Date.now();
      const city = await generateDemoCity({ seed: config.demoSeed });
      if (config.cityProfile) delete (city as { profile?: unknown }).profile;
      const result = await importCity(db, repo, profiles, city);
      logger.info({ counts: result.counts, ms: Date.now() - t0, seed: config.demoSeed }, 'demo city loaded');
      if ((await tokens.countActive()) === 0) {
        const driverVehicle = city.vehicles.find((v) => v.kind === 'collector')!.id;
        const deviceVehicle = city.vehicles.find((v) => v.kind === 'muck_truck')!.id;
        for (const role of roles.filter((r) => r !== 'admin')) {
          firstStartTokens.push(await tokens.issue({
            role, label: `demo ${role}`,
            vehicleId: role === 'driver' ? driverVehicle : role === 'device' ? deviceVehicle : undefined,
          }));
        }
      }
    }
    if (config.adminToken) {
      const known = await db.query('select 1 from api_tokens where token_hash = $1', [hashToken(config.adminToken)]);
      if (known.rows.length === 0) await tokens.issue({ role: 'admin', label: 'from ADMIN_TOKEN', token: config.adminToken });
    } else if ((await tokens.countActive('admin')) === 0) {
      firstStartTokens.unshift(await tokens.issue({ role: 'admin', label: 'first start' }));
    }

    // The road network loads beside the HTTP start: from the cache in milliseconds, built once otherwise.
    let network: Promise<LoadedNetwork> | undefined;
    let networkStatus: Record<string, unknown> = { status: config.osmFile ? 'loading' : 'none' };
    if (config.osmFile) {
      const zones = (await db.query<{ doc: any }>('select doc from restricted_zones order by id')).rows.map((r) => r.doc);
      network = loadNetwork(config.osmFile, { profile: networkProfileFor(profiles.get(), zones), cacheDir: config.networkCacheDir });
      network.then((loaded) => {
        const stats = { nodes: loaded.network.graph.nodeCount, segments: loaded.network.graph.segmentCount };
        networkStatus = { status: 'ready', fromCache: loaded.fromCache, loadMs: Math.round(loaded.timingsMs.total), ...stats };
        logger.info({ network: networkStatus }, 'road network loaded');
      }, (err: unknown) => {
        networkStatus = { status: 'failed', error: (err as Error).message };
        logger.error({ err }, 'road network failed to load');
      });
      // Reported by the handler above; this only keeps the rejection from counting as unhandled.
      network.catch(() => undefined);
    }

    const tracking = new Tracking(db, () => profiles.get(), {}, logger);
    await tracking.start();
    const onFleetChange = () => tracking.reloadFleet();

    let jt808: Jt808Server | undefined;
    let jt808Port: number | undefined;
    if (config.jt808Enabled) {
      jt808 = new Jt808Server({
        directory: tracking.directory,
        sink: {
          submit: async (fixes) => {
            try {
              const result = await tracking.pipeline.submit(fixes);
              const refused = result.rejected.filter((r) => r.reason === 'store_refused');
              // Only the frame holding a fix the store refused is answered with an error; the rest of it is committed.
              if (refused.length > 0) throw new Error(`${refused.length} of ${fixes.length} fixes refused by the store (the others are committed): ${refused[0]!.detail}`);
            } catch (err) {
              // The session answers result 1 (the terminal keeps the fixes and resends) but keeps no cause.
              logger.warn({ err, terminalId: fixes[0]?.deviceId, fixes: fixes.length }, 'jt808: fixes not committed');
              throw err;
            }
          },
        },
        port: config.jt808Port, host: config.jt808Host, trustKnownTerminals: config.jt808TrustKnownTerminals,
        profiles: new TerminalProfiles(config.terminalProfiles),
        onEvent: (e) => {
          if (e.type === 'rejected') logger.debug({ jt808: e }, 'jt808 frame rejected');
          else if (e.type === 'registered' || e.type === 'authenticated' || e.type === 'logout') logger.info({ jt808: e }, 'jt808 session');
        },
      });
      jt808Port = (await jt808.listen()).port;
    }
    const sendText = jt808 ? async (vehicleId: string, text: string) => {
      const vehicle = await repo.get(resources.vehicles, vehicleId);
      if (!vehicle?.terminalId) throw new Error('the vehicle has no JT/T 808 terminal');
      const bare = normalizeTerminalId(vehicle.terminalId);
      const online = [vehicle.terminalId, bare.padStart(12, '0'), bare.padStart(20, '0'), bare].find((id) => jt808!.isOnline(id));
      if (!online) throw new Error(`terminal ${vehicle.terminalId} is not connected`);
      return jt808.sendText(online, text);
    } : undefined;

    const api = new ApiRoutes(tokens, config.bodyLimitBytes);
    addAdminRoutes(api, { db, repo, tokens, profiles, migrationVersion: () => migrationVersion, startedAtMs, networkStatus: () => networkStatus });
    addCityRoutes(api, { db, repo, profile: () => profiles.get(), onChange: (name) => (name === 'vehicles' ? onFleetChange() : undefined) });
    addImportRoute(api, { db, repo, profiles, bodyLimitBytes: config.importBodyLimitBytes, onChange: onFleetChange });
    addIngestRoutes(api, { tracking, db, bodyLimitBytes: config.bodyLimitBytes, sendText });
    addMapRoutes(api, { db, profile: () => profiles.get(), tileUrl: config.mapTileUrl });
    const app = createApp(api, { logger, webDir: WEB_DIR });
    const httpServer = createServer(app);
    const live = await startLiveHub({ httpServer, tokens, events: tracking.events, states: tracking.tracker, redisUrl: config.redisUrl, maxBatchesPerSecond: config.liveMaxBatchesPerSecond, logger });
    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen(config.port, config.host, () => resolve());
    });
    const address = httpServer.address() as AddressInfo;
    const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
    const url = `http://${host}:${address.port}`;

    const jobs = scheduleJobs({ db, logger });
    let closed = false;
    return {
      db, repo, tokens, profiles, api, httpServer, url, migrationVersion, firstStartTokens, tracking, jt808, jt808Port, live, network,
      close: async () => {
        if (closed) return;
        closed = true;
        await jobs.stop();
        await jt808?.close();
        await live.close();
        await new Promise<void>((resolve) => {
          httpServer.close(() => resolve());
          httpServer.closeAllConnections();
        });
        // Everything acknowledged is committed already; drain what is in flight, then stop.
        await tracking.close();
        await network?.catch(() => undefined); // a load failure was reported when it happened
        await db.close();
      },
    };
  } catch (err) {
    // The start's own error is what the caller gets; a failed close is only reported.
    await db.close().catch((closeErr: unknown) => logger.warn({ err: closeErr, cause: err }, 'store not closed after a failed start'));
    throw err;
  }
}

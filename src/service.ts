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
import { unresolvedTerminalIdConflicts } from './store/device-keys.js';
import { ProfileRepo } from './store/profile-repo.js';
import { resources } from './store/resources.js';
import { hashToken, TokenStore, type IssuedToken } from './auth/api-tokens.js';
import { roles, userRoles, type UserRole } from './domain/principal.js';
import { UserStore, summary, type UserSummary } from './auth/users.js';
import { SessionStore } from './auth/sessions.js';
import { LoginLimiter } from './auth/login-limiter.js';
import { PrincipalResolver } from './auth/principals.js';
import { generatePassword, hashPassword, type ScryptParams } from './auth/passwords.js';
import { addAuthRoutes } from './api/auth-routes.js';
import { addUserRoutes } from './api/user-routes.js';
import { openApiRouter } from './api/openapi.js';
import { cityProfileSchema } from './domain/city-profile.js';
import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { ApiRoutes } from './api/routes.js';
import { addCityRoutes } from './api/city-router.js';
import { addImportRoute, importCity } from './api/import-router.js';
import { addAdminRoutes } from './api/admin-routes.js';
import { createApp } from './api/app.js';
import { generateDemoCity, isDemoCity } from './demo/demo-city.js';
import { DemoFleet } from '../simulations/fleet/demo.js';
import { Tracking } from './tracking/tracking.js';
import { addIngestRoutes } from './api/ingest-routes.js';
import { Jt808Server, TerminalProfiles } from './ingest/jt808/index.js';
import { canonicalTerminalId } from './domain/terminal-id.js';
import { scheduleJobs } from './jobs/scheduler.js';
import { loadNetwork, type LoadedNetwork } from '../solver/network/index.js';
import { networkProfileFor } from './planning/network-profile.js';
import { addMapRoutes, type MapRoutes } from './api/map-routes.js';
import { startLiveHub, type LiveHub } from './live/hub.js';
import { PlanStore } from './planning/plan-store.js';
import { listDistricts, readCity } from './planning/snapshot.js';
import { PlanRunner } from './jobs/plan-runner.js';
import { addCapacityRoutes } from './api/capacity-routes.js';
import { storeCitySnapshot } from '../simulations/capacity/city.js';
import { CapacityRunner, CapacityRuns } from '../simulations/capacity/runs.js';
import { CapacityDayJobs } from '../simulations/capacity/day-jobs.js';
import { attachCapacityRoom } from './live/capacity-room.js';
import { scheduleNightlyPlanning, type NightlyPlanning } from './jobs/nightly-planning.js';
import { addPlanRoutes } from './api/plan-routes.js';
import { relayRemoteProgress } from './jobs/plan-progress-relay.js';
import { ComplianceMonitor } from './compliance/monitor.js';
import { loadCityModel } from './compliance/load-city.js';
import { storedLaneContext } from './compliance/lane-context.js';
import { roadMatcher } from './compliance/road-matcher.js';
import type { PositionMatcher } from './compliance/detector.js';
import { addDriverRoutes } from './api/driver-routes.js';
import { RouteActions } from './planning/route-actions.js';
import { RouteTexts } from './jobs/route-texts.js';
import { IncidentStore } from './compliance/incident-store.js';
import { IncidentFeed, StoreIncidentSink } from './compliance/incident-sink.js';
import { addIncidentRoutes } from './api/incident-routes.js';
import { attachIncidentRoom } from './live/incident-room.js';
import { SpillReports } from './compliance/spill-reports.js';
import { addSpillRoutes } from './api/spill-routes.js';
import { loadManifestWorld, ManifestRecorder, ManifestStore } from './compliance/manifest-store.js';
import { ManifestMachine } from './compliance/manifest.js';
import { addManifestRoutes } from './api/manifest-routes.js';
import { planEventIncidents } from './compliance/plan-event-incidents.js';
import { addActualRoutes } from './api/actual-routes.js';
import { ActualStore } from './planning/actual/actual-store.js';
import { ActualMonitor } from './planning/actual/monitor.js';
import type { RoadNetwork } from '../solver/network/index.js';

/**
 * The composition root as a function, so tests start the same service main.ts starts:
 * config → store → services → HTTP server.
 */
export interface Service {
  db: Db;
  repo: CityRepo;
  tokens: TokenStore;
  users: UserStore;
  sessions: SessionStore;
  profiles: ProfileRepo;
  api: ApiRoutes;
  httpServer: Server;
  tracking: Tracking;
  /** The live compliance detectors, fed every committed fix; their incidents go to the sink. */
  compliance: ComplianceMonitor;
  /** The road network, loading in the background from start (undefined without OSM_FILE). */
  network?: Promise<LoadedNetwork>;
  live: LiveHub;
  /** Plans and their job queue; the local runner (undefined with PLAN_WORKERS=0 or no road network); the nightly plan. */
  plans: PlanStore;
  /** Plan against actual: the live judge of the plans being driven. */
  actual: ActualMonitor;
  planRunner?: PlanRunner;
  nightlyPlanning: NightlyPlanning;
  /** Route texts to in-cab terminals (undefined when JT808_ENABLED=false). */
  routeTexts?: RouteTexts;
  /** Incidents (issue 13): the store, the sink the detectors emit into, the feed the enforcement room pushes from. */
  incidents: IncidentStore;
  incidentSink: StoreIncidentSink;
  incidentFeed: IncidentFeed;
  /** E-manifest trips (电子联单). */
  manifests: ManifestStore;
  /** The demo city's simulated fleet driving today's plan (undefined outside the demo city or with DEMO_FLEET=off). */
  demoFleet?: DemoFleet;
  /** undefined when JT808_ENABLED=false */
  jt808?: Jt808Server;
  jt808Port?: number;
  /** Base URL once listening. */
  url: string;
  migrationVersion: number;
  /** Tokens created at this start (admin when none existed, one per role for the demo); shown once. */
  firstStartTokens: IssuedToken[];
  /** Demo users created at this start (demo city only), with their passwords; shown once. */
  firstStartUsers: Array<{ user: UserSummary; password: string }>;
  close(): Promise<void>;
}

export const WEB_DIR = fileURLToPath(new URL('../web/dist', import.meta.url));
const PACKAGE_VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** The city-model schemas and the profile, described once in the OpenAPI components. */
function namedSchemas(): Record<string, z.ZodType> {
  const named: Record<string, z.ZodType> = { CityProfile: cityProfileSchema };
  for (const def of Object.values(resources)) {
    named[def.label.split(' ').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('')] = def.schema;
  }
  return named;
}

export interface StartOptions {
  /** A store in memory instead of DATA_DIR (tests). */
  inMemory?: boolean;
  /** The plan-against-actual judge's wall clock (tests). */
  actualClock?: () => number;
  /** The demo fleet's clock (tests): which day it plans and how much of it has passed. */
  demoFleetClock?: () => number;
  /**
   * scrypt cost of the password hashes this service makes; production's (DEFAULT_SCRYPT_PARAMS)
   * when left out. Not a setting: only suites whose subject is not hashing lower it, so a run
   * does not spend most of an accounts test in scrypt (each hash records its own parameters).
   */
  passwordHashParams?: ScryptParams;
}

export async function startService(config: Config, logger: Logger, options: StartOptions = {}): Promise<Service> {
  const startedAtMs = Date.now();
  const db = await openDb({ databaseUrl: config.databaseUrl, dataDir: options.inMemory ? undefined : config.dataDir, purpose: 'the sanifleet service', logger, pgliteSharedBuffers: config.pgliteSharedBuffers });
  try {
    const migrationVersion = await migrate(db);
    for (const c of await unresolvedTerminalIdConflicts(db)) {
      logger.warn({ conflict: c }, `vehicle ${c.vehicleId} lost its ${c.field} "${c.storedValue}" in migration 7: vehicle ${c.keptByVehicleId} holds the same id "${c.canonicalValue}"; bind it to its own id or delete the row from terminal_id_conflicts`);
    }
    await ensurePositionPartitions(db, Date.now(), undefined, undefined, logger);
    const repo = new CityRepo(db);
    const profiles = new ProfileRepo(db);
    const tokens = new TokenStore(db, { onError: (err, what) => logger.warn({ err }, `${what} failed`) });
    const users = new UserStore(db);
    const sessions = new SessionStore(db);
    const principals = new PrincipalResolver(tokens, sessions);
    // Incidents: the sink the compliance detectors emit into, the store behind it, the feed the enforcement room pushes from.
    const incidents = new IncidentStore(db);
    const incidentFeed = new IncidentFeed();
    const vehicleFacts = async (id: string) => {
      const v = await repo.get(resources.vehicles, id);
      return v ? { contractor: v.contractor as string | undefined, district: v.district as string | undefined } : undefined;
    };
    const incidentSink = new StoreIncidentSink({ store: incidents, feed: incidentFeed, logger: logger.child({ component: 'incidents' }), vehicleFacts });

    // The profile file, when given, is the city's word at every start; else what is stored.
    const stored = await profiles.load();
    const profile = config.cityProfile ?? stored ?? defaultCityProfile();
    if (config.cityProfile || !stored) await profiles.save(profile);
    profiles.use(profile);

    const firstStartTokens: IssuedToken[] = [];
    const firstStartUsers: Array<{ user: UserSummary; password: string }> = [];
    const empty = (await repo.count(resources.depots)) === 0 && (await repo.count(resources.vehicles)) === 0;
    if (config.demoCity === 'always' || (config.demoCity === 'auto' && empty)) {
      const t0 = Date.now();
      const city = await generateDemoCity({ seed: config.demoSeed });
      if (config.cityProfile) delete (city as { profile?: unknown }).profile;
      const result = await importCity(db, repo, profiles, city);
      logger.info({ counts: result.counts, ms: Date.now() - t0, seed: config.demoSeed }, 'demo city loaded');
      const driverVehicle = city.vehicles.find((v) => v.kind === 'collector')!.id;
      if ((await users.count()) === 0) firstStartUsers.push(...(await createDemoUsers(users, driverVehicle, options.passwordHashParams)));
      if ((await tokens.countActive()) === 0) {
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

    const tracking = new Tracking(db, () => profiles.get(), { maxQueuedRows: config.positionQueueMaxRows }, logger);
    // The detectors judge every committed fix; their incidents go to the incident store's sink.
    const complianceLogger = logger.child({ component: 'compliance' });
    let matcher: PositionMatcher | undefined;
    network?.then((loaded) => { matcher = roadMatcher(loaded.network); }, () => undefined);
    // The e-manifest kept live: the detectors' lanes hand it each fix in fix-time order.
    const manifests = new ManifestStore(db);
    const manifestLogger = logger.child({ component: 'manifests' });
    const manifestRecorder = new ManifestRecorder(new ManifestMachine(await loadManifestWorld(db, profiles.get())), manifests,
      (err) => manifestLogger.warn({ err }, 'e-manifest: a trip change was not stored'));
    const compliance = new ComplianceMonitor({
      sink: incidentSink, profile: () => profiles.get(), logger: complianceLogger, matcher: () => matcher, readContext: storedLaneContext(db),
      onFixJudged: (fix) => {
        try {
          void manifestRecorder.onFix(fix);
        } catch (err) {
          manifestLogger.warn({ err, vehicleId: fix.vehicleId }, 'e-manifest: a fix was not taken');
        }
      },
    });
    compliance.setCity(await loadCityModel(db));
    // Trips past their window plus grace are flagged late even when their trucks have gone quiet.
    const manifestTimer = setInterval(() => void manifestRecorder.tick(Date.now()), 60_000);
    manifestTimer.unref();
    tracking.events.on('fixes', (fixes) => {
      try {
        compliance.accept(fixes);
      } catch (err) {
        complianceLogger.error({ err }, 'compliance: committed fixes not judged');
      }
    });
    compliance.start();
    // The detectors judge against the city model: re-read it after a change; a change during a read reads again after it.
    let cityReload: Promise<void> = Promise.resolve();
    let cityReloadQueued = false;
    const reloadComplianceCity = (): Promise<void> => {
      if (cityReloadQueued) return cityReload;
      cityReloadQueued = true;
      cityReload = cityReload.then(async () => {
        cityReloadQueued = false;
        compliance.setCity(await loadCityModel(db));
        manifestRecorder.machine.setWorld(await loadManifestWorld(db, profiles.get()));
      }).catch((err: unknown) => complianceLogger.warn({ err }, 'compliance: city model not re-read; the previous one stands'));
      return cityReload;
    };
    await tracking.start();
    const onFleetChange = async () => {
      await tracking.reloadFleet();
      await reloadComplianceCity();
    };
    const complianceResources = new Set(['vehicles', 'permits', 'facilities', 'construction-sites', 'restricted-zones']);

    let jt808: Jt808Server | undefined;
    let jt808Port: number | undefined;
    let routeTexts: RouteTexts | undefined;
    const terminalProfiles = new TerminalProfiles(config.terminalProfiles);
    if (config.jt808Enabled) {
      jt808 = new Jt808Server({
        directory: tracking.directory,
        sink: {
          submit: async (fixes) => {
            const result = await tracking.pipeline.submit(fixes);
            const refused = result.rejected.filter((r) => r.reason === 'store_refused');
            // Only the frame holding a fix the store refused is answered with an error (the session logs
            // it at warn, throttled per connection); the other frames of the run are committed.
            if (refused.length > 0) throw new Error(`${refused.length} of ${fixes.length} fixes refused by the store (the others are committed): ${refused[0]!.detail}`);
          },
        },
        port: config.jt808Port, host: config.jt808Host, trustKnownTerminals: config.jt808TrustKnownTerminals,
        profiles: terminalProfiles,
        logger: logger.child({ component: 'jt808' }),
        onEvent: (e) => {
          // a terminal is reachable: send the route texts waiting for it
          if (e.type === 'authenticated' && e.accepted) routeTexts?.terminalOnline(e.terminalId, true);
          else if (e.type === 'fixes') routeTexts?.terminalOnline(e.terminalId);
          if (e.type === 'rejected') logger.debug({ jt808: e }, 'jt808 frame rejected');
          else if (e.type === 'registered' || e.type === 'authenticated' || e.type === 'logout') logger.info({ jt808: e }, 'jt808 session');
        },
      });
      jt808Port = (await jt808.listen()).port;
      const gateway = jt808;
      routeTexts = new RouteTexts({ db, gateway: { isOnline: (t) => gateway.isOnline(t), sendText: (t, text) => gateway.sendText(t, text) }, profiles: terminalProfiles, logger: logger.child({ component: 'route-texts' }) });
      // which terminals have texts waiting from before this start (sent when they connect)
      await routeTexts.sweep();
    }
    const sendText = jt808 ? async (vehicleId: string, text: string) => {
      const vehicle = await repo.get(resources.vehicles, vehicleId);
      if (!vehicle?.terminalId) throw new Error('the vehicle has no JT/T 808 terminal');
      // Sessions and vehicle records both hold the canonical id.
      const terminalId = canonicalTerminalId(vehicle.terminalId);
      if (!jt808.isOnline(terminalId)) throw new Error(`terminal ${terminalId} is not connected`);
      return jt808.sendText(terminalId, text);
    } : undefined;

    const api = new ApiRoutes(principals, config.bodyLimitBytes);
    addAuthRoutes(api, { users, sessions, limiter: new LoginLimiter(), hashParams: options.passwordHashParams });
    addUserRoutes(api, { db, repo, users, sessions, hashParams: options.passwordHashParams });
    // The map's road layer is re-read after a write here at once, after one elsewhere within seconds.
    let mapRoutes: MapRoutes | undefined;
    addAdminRoutes(api, {
      db, repo, tokens, profiles, migrationVersion: () => migrationVersion, startedAtMs, networkStatus: () => networkStatus,
      mapRoads: () => mapRoutes?.status() ?? { status: 'cold' },
    });
    addCityRoutes(api, {
      db, repo, profile: () => profiles.get(),
      onChange: (name) => {
        if (complianceResources.has(name) && name !== 'vehicles') void reloadComplianceCity();
        return name === 'vehicles' ? onFleetChange() : name === 'road-segments' ? mapRoutes?.invalidate() : undefined;
      },
    });
    addImportRoute(api, {
      db, repo, profiles, bodyLimitBytes: config.importBodyLimitBytes,
      onStart: () => mapRoutes?.writeStarted(),
      onEnd: () => mapRoutes?.writeEnded(),
      onChange: async () => {
        mapRoutes?.invalidate();
        await onFleetChange();
      },
    });
    addIngestRoutes(api, { tracking, db, bodyLimitBytes: config.bodyLimitBytes, sendText });
    mapRoutes = addMapRoutes(api, { db, profile: () => profiles.get(), tileUrl: config.mapTileUrl });
    const plans = new PlanStore(db);
    let planLive: LiveHub | undefined;
    // on a PostgreSQL server a capacity run's days are plan-queue jobs (any instance or worker takes them)
    const capacityDays = config.osmFile && db.kind === 'postgres' ? new CapacityDayJobs({ db, logger, osmFile: config.osmFile, networkCacheDir: config.networkCacheDir }) : undefined;
    const planRunner = config.osmFile && config.planWorkers > 0 ? new PlanRunner({
      db, logger, osmFile: config.osmFile, networkCacheDir: config.networkCacheDir, threads: config.planWorkers, kinds: capacityDays ? [capacityDays] : [],
      onProgress: (event) => planLive?.emitToRoles(['admin', 'dispatcher'], 'plan:progress', event, { about: { district: event.district } }),
    }) : undefined;
    const cannotPlan = (): string | null => !config.osmFile ? 'no road network: set OSM_FILE'
      : networkStatus.status === 'failed' ? `the road network failed to load: ${String(networkStatus.error)}` : null;
    // Plan against actual: judged from committed fixes; statuses and plan events pushed to dispatchers.
    let loadedNetwork: RoadNetwork | undefined;
    const actualStore = new ActualStore(db);
    const actual = new ActualMonitor({
      store: actualStore, profile: () => profiles.get(), network: () => loadedNetwork, logger, now: options.actualClock,
      // a dispatcher scoped to a district or contractor gets those about its vehicles only
      onStatus: (planId, s) => planLive?.emitToRoles(['admin', 'dispatcher'], 'plan:stop', { planId, ...s }, { about: { vehicleId: s.vehicleIds[0]! } }),
      onEvent: (e) => {
        planLive?.emitToRoles(['admin', 'dispatcher'], 'plan:event', e, e.vehicleId ? { about: { vehicleId: e.vehicleId } } : {});
        // and on the enforcement desk, as incidents (the alert system of issue 13)
        for (const incident of planEventIncidents(e, profiles.get().planning.actual)) void incidentSink.emit(incident);
      },
    });
    network?.then((loaded) => {
      loadedNetwork = loaded.network;
      void actual.planChanged(); // where trucks park for each point is known now
    }, () => undefined);
    tracking.events.on('fixes', (fixes) => actual.committed(fixes));
    const planChanged = async (planId: string, move: 'publish' | 'start' | 'close') => {
      // the drivers of this plan and of the plan it superseded read their route again
      const affected = await db.query<{ id: string; status: string; vehicle_id: string }>(
        `select p.id, p.status, r->>'vehicleId' as vehicle_id from plans p, jsonb_array_elements(p.solution->'routes') r where p.id = $1 or p.superseded_by = $1`, [planId],
      );
      const byVehicle = new Map(affected.rows.map((r) => [r.vehicle_id, r]));
      for (const r of affected.rows) if (r.id === planId) byVehicle.set(r.vehicle_id, r);
      planLive?.emitToVehicles([...byVehicle.keys()], 'route:changed', (vehicleId) => {
        const r = byVehicle.get(vehicleId)!;
        return { vehicleId, planId: r.id, status: r.status, change: r.id === planId ? move : 'superseded' };
      });
      if (move === 'publish') await routeTexts?.planPublished(planId);
      await actual.planChanged(); // the plans being driven changed
    };
    addPlanRoutes(api, {
      plans, profile: () => profiles.get(), districts: () => listDistricts(db), cannotPlan, onQueued: () => planRunner?.wake(),
      onChanged: (planId, move) => void planChanged(planId, move).catch((err: unknown) => logger.warn({ err, planId, move }, 'plan change not passed on to drivers and terminals')),
    });
    // embedded store: capacity studies run in this process's plan threads' budget (PLAN_WORKERS), one run at a time
    const capacityRuns = new CapacityRuns(db, capacityDays && { city: () => storeCitySnapshot(db) });
    const capacityRunner = !capacityDays && config.osmFile && config.planWorkers > 0 ? new CapacityRunner({
      runs: capacityRuns, logger, osmFile: config.osmFile, networkCacheDir: config.networkCacheDir, threads: config.planWorkers,
      city: () => storeCitySnapshot(db),
    }) : undefined;
    if (db.kind === 'pglite') await capacityRuns.failAbandoned();
    capacityRunner?.wake();
    addCapacityRoutes(api, {
      runs: capacityRuns, vehicles: async () => (await readCity(db)).vehicles,
      cannotRun: () => cannotPlan() ?? (capacityRunner || capacityDays ? null : 'this instance runs no plan threads (PLAN_WORKERS=0)'),
      onQueued: () => (capacityDays ? planRunner?.wake() : capacityRunner?.wake()),
    });
    addDriverRoutes(api, {
      db, actions: new RouteActions(db), profile: () => profiles.get(), vehicleExists: (id) => tracking.directory.hasVehicle(id), fleet: () => tracking.tracker.snapshot(),
      terminalMessages: routeTexts ? (f) => routeTexts!.list(f) : undefined,
      onReport: (report) => planLive?.emitToRoles(['admin', 'dispatcher'], 'driver:report', report, { reach: 'all', about: { vehicleId: report.vehicleId } }),
      onStopDone: (mark) => {
        planLive?.emitToRoles(['admin', 'dispatcher'], 'route:stop-done', mark, { reach: 'all', about: { vehicleId: mark.vehicleId } });
        planLive?.emitToVehicles([mark.vehicleId], 'route:changed', () => ({ vehicleId: mark.vehicleId, planId: mark.planId, change: 'stop_done', stopId: mark.stopId }));
      },
    });
    addIncidentRoutes(api, { db, repo, users, incidents, feed: incidentFeed, profile: () => profiles.get() });
    addSpillRoutes(api, { spills: new SpillReports(db, incidents, vehicleFacts), feed: incidentFeed });
    addManifestRoutes(api, { db, manifests, profile: () => profiles.get() });
    addActualRoutes(api, { db, plans, actual: actualStore, profile: () => profiles.get(), network: () => loadedNetwork, onJudged: () => void actual.planChanged() });
    const docs = openApiRouter(api.table, { version: PACKAGE_VERSION, named: namedSchemas() });
    const app = createApp(api, { logger, webDir: WEB_DIR, extraRouters: [docs] });
    const httpServer = createServer(app);
    const live = await startLiveHub({ httpServer, tokens: principals, events: tracking.events, states: tracking.tracker, redisUrl: config.redisUrl, maxBatchesPerSecond: config.liveMaxBatchesPerSecond, logger });
    const detachIncidentRoom = attachIncidentRoom(live.io, incidentFeed);
    const capacityRoom = attachCapacityRoom(live.io, { progressOf: (ids) => capacityRuns.progressOf(ids), logger });
    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen(config.port, config.host, () => resolve());
    });
    const address = httpServer.address() as AddressInfo;
    const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
    const url = `http://${host}:${address.port}`;

    const jobs = scheduleJobs({ db, logger, sessions });
    // A large city's road layer takes seconds to read: read it now, not on the first page's request.
    const warmStartMs = Date.now();
    const roadLayerWarm = mapRoutes.warm().then(
      ({ roads }) => logger.info({ roads, ms: Date.now() - warmStartMs }, 'map road layer ready'),
      (err: unknown) => logger.warn({ err }, 'map road layer could not be read at start; the first request reads it'),
    );
    planLive = live;
    await actual.start();
    // jobs run by worker processes elsewhere report through the shared PostgreSQL store
    const progressRelay = db.kind === 'postgres'
      ? relayRemoteProgress({ db, logger, localOwner: () => planRunner?.owner, emit: (e) => live.emitToRoles(['admin', 'dispatcher'], 'plan:progress', e, { about: { district: e.district } }) })
      : undefined;
    const nightlyPlanning = scheduleNightlyPlanning({ db, plans, profile: () => profiles.get(), logger, onQueued: () => planRunner?.wake(), canPlan: () => cannotPlan() === null });
    profiles.onChange((p) => nightlyPlanning.reschedule(p));
    // the e-manifest's time zone, grace and places follow the profile
    profiles.onChange(() => void reloadComplianceCity());
    // The runner's threads read the network from the cache the service writes: start after it.
    const runnerStarted = planRunner ? (network ?? Promise.resolve()).then(() => planRunner.start(), () => undefined) : Promise.resolve();
    runnerStarted.catch((err: unknown) => logger.error({ err }, 'plan runner failed to start'));
    // The demo city alive: its fleet drives today's plan over JT/T 808 against this service's own ports.
    let demoFleet: DemoFleet | undefined;
    if (config.demoFleet && network && isDemoCity(profiles.get(), config.osmFile)) {
      if (jt808Port === undefined) logger.info('demo fleet off: it reports over JT/T 808 (JT808_ENABLED=false)');
      else {
        demoFleet = new DemoFleet({
          plans, activePlanIds: (dates) => actualStore.activePlanIds(dates), plan: (id) => actualStore.plan(id),
          segmentGeometries: (ids) => actualStore.segmentGeometries(ids),
          devices: async () => (await db.query<{ id: string; doc: any }>('select id, doc from vehicles order by id')).rows.map((r) => ({
            id: r.id, terminalId: r.doc.terminalId, terminalModel: r.doc.terminalModel, deviceId: r.doc.deviceId, capacityKg: r.doc.capacityKg,
          })),
          latestFixMs: () => new Map(tracking.tracker.snapshot().filter((v) => v.latest).map((v) => [v.vehicleId, v.latest!.fixTimeMs])),
          network: network.then((l) => l.network), timeZone: () => profiles.get().timeZone,
          queued: () => planRunner?.wake(), published: (planId) => planChanged(planId, 'publish'),
          target: { host: config.jt808Host === '0.0.0.0' || config.jt808Host === '::' ? '127.0.0.1' : config.jt808Host, jt808Port, httpUrl: url }, terminalProfiles: config.terminalProfiles,
          planIterations: config.demoFleetPlanIterations, seed: config.demoSeed, logger: logger.child({ component: 'demo-fleet' }),
          now: options.demoFleetClock,
        }).start();
      }
    }
    let closed = false;
    return {
      db, repo, tokens, users, sessions, profiles, api, httpServer, url, migrationVersion, firstStartTokens, firstStartUsers, tracking, compliance, jt808, jt808Port, live, network, routeTexts,
      plans, actual, planRunner, nightlyPlanning, incidents, incidentSink, incidentFeed, manifests, demoFleet,
      close: async () => {
        if (closed) return;
        closed = true;
        await demoFleet?.stop();
        actual.stop();
        await jobs.stop();
        await nightlyPlanning.stop();
        progressRelay?.stop();
        await runnerStarted.catch(() => undefined);
        await planRunner?.stop();
        await capacityRunner?.stop();
        // terminals first: a text awaiting a terminal's answer fails at once instead of holding the close for 30 s
        await jt808?.close();
        await routeTexts?.close();
        detachIncidentRoom();
        capacityRoom.stop();
        await live.close();
        await new Promise<void>((resolve) => {
          httpServer.close(() => resolve());
          httpServer.closeAllConnections();
        });
        // Everything acknowledged is committed already; drain what is in flight, then stop.
        await tracking.close();
        await actual.idle();
        // the detectors judge what they hold, then the sink applies what they emitted
        clearInterval(manifestTimer);
        await compliance.close();
        await manifestRecorder.settle();
        await incidentSink.settle();
        await tokens.settle();
        await roadLayerWarm;
        await mapRoutes.close();
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

const demoDisplayNames: Record<UserRole, string> = {
  admin: '演示管理员', dispatcher: '演示调度员', driver: '演示司机', enforcement: '演示执法员', planner: '演示规划员',
};

/** One demo user per role, named after it, with a random password (printed once by main.ts). */
async function createDemoUsers(users: UserStore, driverVehicleId: string, hashParams?: ScryptParams): Promise<Array<{ user: UserSummary; password: string }>> {
  const created: Array<{ user: UserSummary; password: string }> = [];
  for (const role of userRoles) {
    const password = generatePassword();
    const user = await users.create({
      name: role, displayName: demoDisplayNames[role], role, ...(role === 'driver' ? { vehicleId: driverVehicleId } : {}),
    }, await hashPassword(password, hashParams));
    created.push({ user: summary(user), password });
  }
  return created;
}

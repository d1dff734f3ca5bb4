import type { Logger } from 'pino';
import type { CityProfile } from '../domain/city-profile.js';
import { silentLogger } from '../logger.js';
import type { StoredFix } from '../tracking/position-writer.js';
import { ComplianceCity, type CityModel } from './city.js';
import type { PositionMatcher, Rule } from './detector.js';
import type { IncidentEvent, IncidentSink } from './incident-event.js';
import type { LaneContextReader } from './lane-context.js';
import { VehicleLane, type LaneStats } from './lane.js';
import { rules as defaultRules } from './rules/index.js';
import type { ComplianceFix } from './vehicle-context.js';

/**
 * The compliance monitor: committed fixes in, incident events out. Tracking hands it every
 * batch after commit; it keeps one lane per vehicle (reorder buffer, detectors, ledger) and
 * passes the events to the sink one at a time, in order.
 */
export interface ComplianceMonitorOptions {
  sink: IncidentSink;
  profile: () => CityProfile;
  logger?: Logger;
  now?: () => number;
  /** Map matching for off-route (undefined until the road network is loaded, or without one). */
  matcher?: () => PositionMatcher | undefined;
  rules?: readonly Rule[];
  /** The store's record of a vehicle's past, for a late stretch older than the history kept (without it, judged on what the lane holds). */
  readContext?: LaneContextReader;
  /** Each fix as it is judged live, in fix-time order per vehicle (not again on a re-run): the e-manifest follows these. */
  onFixJudged?: (fix: ComplianceFix) => void;
}

export class ComplianceMonitor {
  readonly stats: LaneStats & { events: number; sinkErrors: number } = { judged: 0, duplicates: 0, implausible: 0, unpositioned: 0, replays: 0, events: 0, sinkErrors: 0 };
  private readonly lanes = new Map<string, VehicleLane>();
  private model: CityModel = { vehicles: [], permits: [], facilities: [], sites: [], zones: [] };
  private city: ComplianceCity;
  private cityProfile: CityProfile;
  private readonly now: () => number;
  private readonly logger: Logger;
  private sinkChain: Promise<void> = Promise.resolve();
  private timer: ReturnType<typeof setInterval> | undefined;
  /**
   * The fleet's clock in fix time: the newest fix time seen, run on by the wall time since it was
   * seen. Silence is judged on it, so a night replayed fast closes the same incidents for silence
   * as it did live (other trucks' fixes move the clock on), and live it is the wall clock.
   */
  private fixClock = { fixMs: -Infinity, wallMs: 0 };
  /** Context reads under way (flush waits for them). */
  private readonly contextReads = new Set<Promise<void>>();

  constructor(private readonly options: ComplianceMonitorOptions) {
    this.now = options.now ?? Date.now;
    this.logger = options.logger ?? silentLogger;
    this.cityProfile = options.profile();
    this.city = new ComplianceCity(this.model, this.cityProfile);
  }

  /** The city model changed (or was loaded): vehicles, permits, places and zones judged from now on. */
  setCity(model: CityModel): void {
    const profile = this.options.profile();
    try {
      this.city = new ComplianceCity(model, profile);
    } catch (err) {
      // A record the detectors cannot read must not stop the service: they keep the city they had.
      this.logger.error({ err }, 'compliance: city model not taken; the detectors keep the previous one');
      return;
    }
    this.model = model;
    this.cityProfile = profile;
    const ids = new Set(model.vehicles.map((v) => v.id));
    for (const id of this.lanes.keys()) if (!ids.has(id)) this.lanes.delete(id);
    for (const v of model.vehicles) this.lanes.get(v.id)?.setVehicle(v);
  }

  /** Committed fixes, any order, any vehicles. */
  accept(fixes: readonly StoredFix[]): void {
    this.refreshProfile();
    const nowMs = this.now();
    const touched = new Set<VehicleLane>();
    for (const fix of fixes) {
      const lane = this.lane(fix.vehicleId);
      if (!lane) continue;
      if (!fix.implausible && fix.positioned && fix.fixTimeMs > this.fixClock.fixMs) this.fixClock = { fixMs: fix.fixTimeMs, wallMs: nowMs };
      // fell silent before this fix, by the fleet's clock: what it held is judged and what was open
      // closes first, as the ticks would have done live
      const clockMs = this.fleetClockMs(nowMs);
      if (lane.silentAt(clockMs, this.city)) {
        lane.release(nowMs, this.city, true);
        lane.expireIfSilent(clockMs, this.city);
      }
      lane.accept(fix, nowMs);
      touched.add(lane);
    }
    for (const lane of touched) {
      this.readContextFor(lane);
      lane.release(nowMs, this.city);
    }
  }

  /** A late stretch older than the lane's history: its context is read back, then the lane judges on. */
  private readContextFor(lane: VehicleLane): void {
    const read = this.options.readContext;
    if (!read) return;
    const wanted = lane.takeContextWanted(this.cityProfile.compliance.historyS * 1000);
    if (!wanted) return;
    const done = read(lane.vehicleId, wanted.fromMs, wanted.toMs).then(
      (context) => lane.addContext(context),
      (err: unknown) => {
        // judged on what the lane holds rather than not at all
        this.logger.warn({ err, vehicleId: lane.vehicleId }, 'compliance: the context of a late stretch was not read');
        lane.addContext(undefined);
      },
    ).then(() => {
      this.contextReads.delete(done);
      lane.release(this.now(), this.city);
    }).catch((err: unknown) => this.logger.error({ err, vehicleId: lane.vehicleId }, 'compliance: a late stretch not judged'));
    this.contextReads.add(done);
  }

  /** Judges fixes held past their wait (call every few hundred ms). */
  tick(): void {
    this.refreshProfile();
    const nowMs = this.now();
    const clockMs = this.fleetClockMs(nowMs);
    for (const lane of this.lanes.values()) {
      if (lane.pending) lane.release(nowMs, this.city);
      else lane.expireIfSilent(clockMs, this.city);
    }
  }

  private fleetClockMs(nowMs: number): number {
    return this.fixClock.fixMs + Math.max(0, nowMs - this.fixClock.wallMs);
  }

  /** Judges everything held (tests, shutdown) and waits for the sink. */
  async flush(): Promise<void> {
    while (this.contextReads.size > 0) await Promise.all(this.contextReads);
    for (const lane of this.lanes.values()) if (lane.pending) lane.release(this.now(), this.city, true);
    await this.sinkChain;
  }

  start(intervalMs = 250): void {
    this.timer = setInterval(() => this.tick(), intervalMs);
    this.timer.unref();
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }

  private lane(vehicleId: string): VehicleLane | undefined {
    let lane = this.lanes.get(vehicleId);
    if (lane) return lane;
    const vehicle = this.city.vehicles.get(vehicleId);
    if (!vehicle) return undefined;
    lane = new VehicleLane(vehicle, this.options.rules ?? defaultRules, { matcher: this.options.matcher }, (e) => this.emit(e), this.stats, this.options.onFixJudged);
    this.lanes.set(vehicleId, lane);
    return lane;
  }

  private refreshProfile(): void {
    const p = this.options.profile();
    if (p === this.cityProfile) return;
    this.cityProfile = p; // tried once: a profile the detectors cannot take is reported once
    this.setCity(this.model);
  }

  /**
   * Hands the event to the sink at once, in emission order; the sink keeps one incident's events in
   * that order (the store's does, per key) while different incidents are written side by side.
   */
  private emit(e: IncidentEvent): void {
    this.stats.events++;
    const failed = (err: unknown) => {
      this.stats.sinkErrors++;
      this.logger.warn({ err, incident: e.key, phase: e.phase }, 'compliance: incident event not stored');
    };
    try {
      const done = this.options.sink.emit(e);
      if (done) this.sinkChain = Promise.all([this.sinkChain, done.catch(failed)]).then(() => undefined);
    } catch (err) {
      failed(err);
    }
  }
}

/** Until the incident store is connected: every event to the log at info. */
export function loggingSink(logger: Logger): IncidentSink {
  return {
    emit: (e) => logger.info({ incident: { key: e.key, phase: e.phase, type: e.type, vehicleId: e.vehicleId, permitId: e.permitId, zoneId: e.zoneId, level: e.level, startMs: e.startMs, endMs: e.endMs, details: e.details } }, `incident ${e.phase}: ${e.type}`),
  };
}

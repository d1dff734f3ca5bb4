import type { CityProfile } from '../domain/city-profile.js';
import type { Vehicle } from '../domain/model.js';
import type { Logger } from 'pino';
import { silentLogger } from '../logger.js';
import type { Db } from '../store/db.js';
import { DeviceDirectory } from './device-directory.js';
import { FleetEvents } from './fleet-events.js';
import { FixPipeline } from './fix-pipeline.js';
import { PlausibilityJudge } from './plausibility.js';
import { PositionWriter, type PositionWriterOptions } from './position-writer.js';
import { VehicleTracker } from './vehicle-tracker.js';

/** Tracking assembled: directory → pipeline → writer (judge: plausible?) → tracker → events. */
export class Tracking {
  readonly events = new FleetEvents();
  readonly directory: DeviceDirectory;
  readonly writer: PositionWriter;
  readonly tracker: VehicleTracker;
  readonly pipeline: FixPipeline;
  readonly judge: PlausibilityJudge;

  constructor(private readonly db: Db, profile: () => CityProfile, writerOptions: PositionWriterOptions = {}, logger: Logger = silentLogger) {
    this.directory = new DeviceDirectory(db);
    this.tracker = new VehicleTracker(db, this.events, profile, Date.now, logger);
    this.judge = new PlausibilityJudge(db, () => profile().tracking.maxPlausibleSpeedKmh);
    this.writer = new PositionWriter(db, {
      logger, ...writerOptions, judge: (rows) => this.judge.judge(rows),
      onCommitted: (inserted) => {
        this.tracker.apply(inserted);
        // Listeners (compliance) must not stop the writer: a throw is theirs to report.
        this.events.emit('fixes', inserted);
      },
    });
    this.pipeline = new FixPipeline(this.directory, this.writer, profile);
  }

  async start(): Promise<void> {
    const vehicles = await this.loadVehicles();
    this.directory.load(vehicles);
    await this.tracker.load(vehicles);
    // The tracker's latest fix is the latest plausible one: where each vehicle's next fix is judged from.
    for (const s of this.tracker.snapshot()) if (s.latest) this.judge.seed(s.vehicleId, s.latest);
    this.tracker.startSweeping();
  }

  /** The fleet changed in the city model: rebind devices and add/remove vehicles. */
  async reloadFleet(): Promise<void> {
    const vehicles = await this.loadVehicles();
    this.directory.load(vehicles);
    const ids = new Set(vehicles.map((v) => v.id));
    for (const v of vehicles) this.tracker.upsertVehicle(v);
    for (const s of this.tracker.snapshot()) if (!ids.has(s.vehicleId)) this.tracker.removeVehicle(s.vehicleId);
  }

  async close(): Promise<void> {
    await this.writer.drain();
    this.tracker.close();
  }

  private async loadVehicles(): Promise<Vehicle[]> {
    const res = await this.db.query<{ doc: Vehicle }>('select doc from vehicles order by id');
    return res.rows.map((r) => r.doc);
  }
}

import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { IncidentEvent, IncidentSink } from './incident-event.js';
import type { Incident, IncidentStore, VehicleFacts } from './incident-store.js';

/**
 * Where the detectors' events land: the incident store, then the bus the enforcement room
 * pushes from. Events of one incident are applied in the order they were emitted (a chain
 * per key), so an update never overtakes its open, even when the detectors do not wait.
 */
export type IncidentChange = 'opened' | 'updated' | 'ended' | 'acknowledged' | 'assigned' | 'closed' | 'reopened';

export interface IncidentNotice {
  change: IncidentChange;
  incident: Incident;
}

export class IncidentFeed extends EventEmitter<{ incident: [IncidentNotice] }> {
  constructor() {
    super();
    this.setMaxListeners(0);
  }
}

export interface StoreIncidentSinkOptions {
  store: IncidentStore;
  /** The vehicle's contractor and district (undefined: the vehicle is unknown). */
  vehicleFacts(vehicleId: string): Promise<VehicleFacts | undefined> | VehicleFacts | undefined;
  feed?: IncidentFeed;
  logger?: Logger;
}

export class StoreIncidentSink implements IncidentSink {
  private readonly chains = new Map<string, Promise<void>>();

  constructor(private readonly options: StoreIncidentSinkOptions) {}

  emit(event: IncidentEvent): Promise<void> {
    const before = this.chains.get(event.key) ?? Promise.resolve();
    const done = before.then(() => this.applyOne(event));
    const tail = done.catch(() => undefined);
    this.chains.set(event.key, tail);
    void tail.then(() => {
      if (this.chains.get(event.key) === tail) this.chains.delete(event.key);
    });
    return done;
  }

  /** Every event emitted so far is applied (tests, shutdown). */
  async settle(): Promise<void> {
    await Promise.all([...this.chains.values()]);
  }

  private async applyOne(event: IncidentEvent): Promise<void> {
    try {
      const facts = (await this.options.vehicleFacts(event.vehicleId)) ?? {};
      const { incident, created } = await this.options.store.apply(event, facts);
      const change: IncidentChange = created ? 'opened' : event.phase === 'close' ? 'ended' : 'updated';
      this.options.feed?.emit('incident', { change, incident });
    } catch (err) {
      this.options.logger?.error({ err, key: event.key, phase: event.phase }, 'incident event not stored');
      throw err;
    }
  }
}

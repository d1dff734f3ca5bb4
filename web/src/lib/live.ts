import { io, type Socket } from 'socket.io-client';
import type { VehicleState } from '../../../src/domain/vehicle-state.js';
import { session } from './session.js';

/**
 * The live fleet over socket.io (src/live/README.md): a snapshot on connect, then batches
 * of the newest state per vehicle. The page filters in the browser, so a vehicle without
 * a district or class can still be chosen ("unassigned"): the server's filter cannot say that.
 */
export type LiveStatus = { key: 'connecting' | 'live' | 'disconnected' | 'refused' | 'noLiveView' | 'retrying'; detail?: string };

export interface LiveHandlers {
  snapshot(states: VehicleState[]): void;
  update(states: VehicleState[]): void;
  status(s: LiveStatus): void;
}

export function connectLive(handlers: LiveHandlers): Socket {
  const token = session()?.token;
  const s = io({ auth: { token }, transports: ['websocket', 'polling'] });
  handlers.status({ key: 'connecting' });
  s.on('connect', () => handlers.status({ key: 'live' }));
  s.on('disconnect', (reason) => {
    handlers.status({ key: 'disconnected', detail: reason });
    // The server hung up (token revoked, instance restarting): socket.io does not retry
    // that on its own; a new handshake either resumes or says why not.
    if (reason === 'io server disconnect') setTimeout(() => s.connect(), 1000);
  });
  s.on('connect_error', (err) => {
    if (err.message === 'unauthorized') {
      s.close();
      handlers.status({ key: 'refused' });
    } else if (err.message === 'forbidden') {
      s.close();
      handlers.status({ key: 'noLiveView' });
    } else {
      handlers.status({ key: 'retrying', detail: err.message });
    }
  });
  s.on('fleet:snapshot', (states: VehicleState[]) => handlers.snapshot(states));
  s.on('fleet:update', (batch: VehicleState[]) => handlers.update(batch));
  return s;
}

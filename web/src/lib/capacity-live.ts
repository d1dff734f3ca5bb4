import { io, type Socket } from 'socket.io-client';
import type { CapacityProgressEvent } from '../../../simulations/capacity/runs.js';
import { session } from './session.js';

export type { CapacityProgressEvent };

/**
 * Follows one capacity run over socket.io (src/live/capacity-room.ts): 'capacity:progress' at
 * once and on every change. `live(false)` while the socket is down or the room refused, so the
 * page falls back to reading the run itself.
 */
export function followCapacityRun(runId: string, handlers: { progress(e: CapacityProgressEvent): void; live(on: boolean): void }): () => void {
  const s: Socket = io({ auth: { token: session()?.token }, transports: ['websocket', 'polling'] });
  handlers.live(false);
  s.on('connect', () => {
    s.emit('capacity:follow', { runId }, (reply: { ok?: boolean }) => handlers.live(reply?.ok === true));
  });
  s.on('disconnect', () => handlers.live(false));
  s.on('connect_error', () => handlers.live(false));
  s.on('capacity:progress', (e: CapacityProgressEvent) => {
    if (e.runId === runId) handlers.progress(e);
  });
  return () => {
    s.close();
  };
}

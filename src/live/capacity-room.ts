import type { Logger } from 'pino';
import type { Server, Socket } from 'socket.io';
import type { Principal, Role } from '../domain/principal.js';

/**
 * Capacity runs followed live. A planner or an admin sends 'capacity:follow' `{ runId }` and
 * joins the run's room (the ack: `{ ok: true }`, or `{ error, code, details }` for any other
 * role or a bad id); the room hears 'capacity:progress' (days done of all, the share of days
 * cleared per fleet so far, the status) at once and whenever it changes. The days are planned
 * by whichever process took them (a worker on another machine included) and the counts live in
 * the run's row, so each instance reads the rows of the runs its own clients follow, once a
 * second, and tells only its own clients (no Redis relay: every instance reads the same row).
 */
export const CAPACITY_EVENT = 'capacity:progress';
const FOLLOWERS: readonly Role[] = ['admin', 'planner'];
const ROOM = 'capacity:';
const RUN_ID = /^[A-Za-z0-9_.:-]{1,100}$/;

export interface CapacityProgress {
  runId: string;
  status: string;
  done: number;
  total: number;
}

export interface CapacityRoomDeps<E extends CapacityProgress> {
  progressOf(runIds: readonly string[]): Promise<E[]>;
  logger: Logger;
  everyMs?: number;
}

type Ack = (reply: unknown) => void;

export function attachCapacityRoom<E extends CapacityProgress>(io: Server, deps: CapacityRoomDeps<E>): { stop(): void } {
  const last = new Map<string, string>();
  const followed = () => [...io.of('/').adapter.rooms.keys()].filter((r) => r.startsWith(ROOM)).map((r) => r.slice(ROOM.length));

  const onConnection = (socket: Socket) => {
    socket.on('capacity:follow', (raw: unknown, ack?: unknown) => {
      const reply: Ack = typeof ack === 'function' ? (ack as Ack) : () => undefined;
      const principal = (socket.data as { principal?: Principal }).principal;
      if (!principal || !FOLLOWERS.includes(principal.role)) {
        reply({ error: 'forbidden', code: 'auth.forbidden', details: [{ path: 'auth.token', message: `capacity runs are followed by ${FOLLOWERS.join(' and ')}` }] });
        return;
      }
      const runId = (raw as { runId?: unknown } | null)?.runId;
      if (typeof runId !== 'string' || !RUN_ID.test(runId)) {
        reply({ error: 'invalid request', code: 'validation.failed', details: [{ path: 'runId', message: 'the run id, as POST /api/v1/capacity-runs answered it' }] });
        return;
      }
      for (const room of socket.rooms) if (room.startsWith(ROOM)) void socket.leave(room);
      void socket.join(`${ROOM}${runId}`);
      deps.progressOf([runId]).then(([event]) => {
        if (!event) return reply({ error: 'not found', code: 'not_found', details: [{ path: 'runId', message: `no capacity run ${runId}` }] });
        reply({ ok: true });
        socket.emit(CAPACITY_EVENT, event);
      }, (err: unknown) => {
        deps.logger.warn({ err, runId }, 'capacity room: progress read failed');
        reply({ error: 'unavailable', code: 'service.unavailable', details: [{ path: 'runId', message: 'the run could not be read; retry' }] });
      });
    });
    socket.on('capacity:unfollow', () => {
      for (const room of socket.rooms) if (room.startsWith(ROOM)) void socket.leave(room);
    });
  };
  io.on('connection', onConnection);

  let busy = false;
  const tick = async () => {
    const runIds = followed();
    if (busy || runIds.length === 0) return;
    busy = true;
    try {
      for (const event of await deps.progressOf(runIds)) {
        const key = JSON.stringify(event);
        if (last.get(event.runId) === key) continue;
        last.set(event.runId, key);
        io.local.to(`${ROOM}${event.runId}`).emit(CAPACITY_EVENT, event);
      }
      for (const id of last.keys()) if (!runIds.includes(id)) last.delete(id);
    } catch (err) {
      deps.logger.warn({ err }, 'capacity room: progress read failed');
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void tick(), deps.everyMs ?? 1000);
  timer.unref?.();
  return {
    stop() {
      clearInterval(timer);
      io.off('connection', onConnection);
    },
  };
}

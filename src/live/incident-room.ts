import type { Server } from 'socket.io';
import type { Principal } from '../domain/principal.js';
import type { IncidentFeed, IncidentNotice } from '../compliance/incident-sink.js';
import { incidentScopeOf } from '../compliance/incident-scope.js';

/**
 * The enforcement room: incidents pushed as they open and change ('incident' events:
 * `{ change, incident }`, change one of opened / updated / ended / acknowledged / assigned /
 * closed / reopened). Each client joins the one room its scope allows: enforcement, admins
 * and dispatchers without a contractor or district 'incidents:all'; a dispatcher narrowed to
 * a contractor and/or district the room of that scope; drivers none. An incident is sent
 * once to every room that admits it (socket.io sends a client one copy whatever rooms it is
 * in), through the adapter, so with Redis the clients of every instance get it.
 */
export const INCIDENT_EVENT = 'incident';

export function incidentRoomOf(principal: Principal): string | undefined {
  const scope = incidentScopeOf(principal);
  if (scope.none) return undefined;
  if (scope.contractor !== undefined && scope.district !== undefined) return `incidents:cd:${scope.contractor}|${scope.district}`;
  if (scope.contractor !== undefined) return `incidents:c:${scope.contractor}`;
  if (scope.district !== undefined) return `incidents:d:${scope.district}`;
  return 'incidents:all';
}

export function roomsAdmitting(incident: { contractor?: string; district?: string }): string[] {
  const rooms = ['incidents:all'];
  if (incident.contractor !== undefined) rooms.push(`incidents:c:${incident.contractor}`);
  if (incident.district !== undefined) rooms.push(`incidents:d:${incident.district}`);
  if (incident.contractor !== undefined && incident.district !== undefined) rooms.push(`incidents:cd:${incident.contractor}|${incident.district}`);
  return rooms;
}

/** Joins each connecting client to its incident room and relays the feed; returns the detach. */
export function attachIncidentRoom(io: Server, feed: IncidentFeed): () => void {
  const onConnection = (socket: { data: unknown; join(room: string): unknown }) => {
    const principal = (socket.data as { principal?: Principal }).principal;
    const room = principal ? incidentRoomOf(principal) : undefined;
    if (room) void socket.join(room);
  };
  io.on('connection', onConnection);
  const onIncident = (notice: IncidentNotice) => {
    io.to(roomsAdmitting(notice.incident)).emit(INCIDENT_EVENT, notice);
  };
  feed.on('incident', onIncident);
  return () => {
    io.off('connection', onConnection);
    feed.off('incident', onIncident);
  };
}

/**
 * Who is asking: the roles and the principal every route and socket checks. A principal
 * comes from an API token (devices, integrations, scripts) or from a person's session
 * after login; both travel as `Authorization: Bearer <token>` (socket.io: `auth.token`).
 * REST routes, socket rooms and the credential stores all speak this vocabulary, so it lives
 * in the domain rather than in any one of them.
 */
export const roles = ['admin', 'dispatcher', 'driver', 'enforcement', 'planner', 'device'] as const;
export type Role = (typeof roles)[number];

/** People log in with one of these; `device` is for API tokens only. */
export const userRoles = ['admin', 'dispatcher', 'driver', 'enforcement', 'planner'] as const;
export type UserRole = (typeof userRoles)[number];

export interface Principal {
  credential: 'api_token' | 'session';
  /** The API token's or the session's id. */
  tokenId: string;
  role: Role;
  /** Set for drivers (always) and for device tokens bound to one vehicle. */
  vehicleId?: string;
  /** A token's label, or the user's login name. */
  label?: string;
  /** When the credential stops working (epoch ms); undefined = never. */
  expiresAtMs?: number;
  /** Sessions only: the person behind it. */
  userId?: string;
  contractor?: string;
  district?: string;
}

/** Why a presented credential was refused: the page tells "sign in again" apart from "wrong token". */
export type TokenCheck = { principal: Principal } | { refused: 'invalid' | 'expired' };

export interface PrincipalSource {
  check(token: string): Promise<TokenCheck>;
  verify(token: string): Promise<Principal | null>;
}

/**
 * Who is asking: the roles of the service and the principal a verified credential stands
 * for. REST routes, socket rooms and the token store all speak this vocabulary, so it lives
 * in the domain rather than in any one of them.
 */
export const roles = ['admin', 'dispatcher', 'driver', 'enforcement', 'device'] as const;
export type Role = (typeof roles)[number];

export interface Principal {
  tokenId: string;
  role: Role;
  /** Set for drivers (always) and for device tokens bound to one vehicle. */
  vehicleId?: string;
  label?: string;
}

/** Turns a presented secret into its principal, or null when it is unknown or revoked. */
export interface CredentialVerifier {
  verify(token: string): Promise<Principal | null>;
}

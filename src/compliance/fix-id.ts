/**
 * The id of a fix in the position log, whose key is (vehicle_id, fix_time): `<vehicleId>@<ISO fix time>`.
 * Entity ids never hold '@' (src/domain/model.ts), so the id splits at its last '@'.
 */
export function fixId(vehicleId: string, fixTimeMs: number): string {
  return `${vehicleId}@${new Date(fixTimeMs).toISOString()}`;
}

export function parseFixId(id: string): { vehicleId: string; fixTimeMs: number } | undefined {
  const at = id.lastIndexOf('@');
  if (at <= 0) return undefined;
  const fixTimeMs = Date.parse(id.slice(at + 1));
  return Number.isFinite(fixTimeMs) ? { vehicleId: id.slice(0, at), fixTimeMs } : undefined;
}

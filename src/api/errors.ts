import { z } from 'zod';
import type { ErrorCode } from '../domain/error-codes.js';

export { errorCodes, type ErrorCode } from '../domain/error-codes.js';

export interface ErrorDetail {
  path: string;
  message: string;
}

const defaultCodes: Record<number, ErrorCode> = {
  400: 'validation.failed', 401: 'auth.required', 403: 'auth.forbidden', 404: 'not_found', 409: 'conflict',
  413: 'body.too_large', 415: 'body.not_json', 422: 'rule.violated', 429: 'auth.rate_limited', 503: 'service.unavailable',
};

export function defaultErrorCode(status: number): ErrorCode {
  return defaultCodes[status] ?? (status >= 500 ? 'internal' : 'validation.failed');
}

/** Every failed request answers `{ error, code, details: [{ path, message }] }` with a fitting status. */
export class ApiError extends Error {
  readonly code: ErrorCode;

  constructor(
    readonly status: number,
    message: string,
    readonly details: ErrorDetail[] = [],
    code?: ErrorCode,
    /** Extra response headers (Retry-After). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.code = code ?? defaultErrorCode(status);
  }
}

export const notFound = (what: string, id: string): ApiError =>
  new ApiError(404, `${what} not found`, [{ path: 'params.id', message: `no ${what} with id "${id}"` }], 'not_found');

/** Flattens zod issues into dotted paths under a prefix (body, query, params). */
export function zodDetails(error: z.ZodError, prefix: string): ErrorDetail[] {
  const details: ErrorDetail[] = [];
  for (const issue of error.issues) {
    const base = [prefix, ...issue.path.map(String)].filter((p) => p !== '').join('.');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) details.push({ path: base ? `${base}.${key}` : key, message: 'unknown field' });
    } else {
      details.push({ path: base, message: issue.message });
    }
  }
  return details;
}

export function validationError(error: z.ZodError, prefix: string, status = 400): ApiError {
  return new ApiError(status, 'invalid request', zodDetails(error, prefix));
}

interface PgLikeError {
  code?: string;
  constraint?: string;
  detail?: string;
  message?: string;
}

/** Constraint name → the request field it guards, so a database refusal still names the field. */
const constraintFields: Record<string, string> = {
  vehicles_home_depot_fk: 'homeDepotId',
  vehicles_terminal_id_key: 'terminalId',
  vehicles_device_id_key: 'deviceId',
  vehicles_plate_key: 'plate',
  permits_number_key: 'number',
  permits_site_fk: 'siteId',
  permits_disposal_fk: 'disposalFacilityId',
  permit_vehicles_vehicle_fk: 'vehicleIds',
  api_tokens_vehicle_fk: 'vehicleId',
  users_name_key: 'name',
  users_vehicle_fk: 'vehicleId',
};

/** Maps PostgreSQL integrity errors to 409/422; anything else is not ours to explain. */
export function fromDatabaseError(err: unknown, pathPrefix = 'body'): ApiError | undefined {
  const e = err as PgLikeError;
  if (!e || typeof e.code !== 'string') return undefined;
  const field = e.constraint ? constraintFields[e.constraint] : undefined;
  const path = field ? `${pathPrefix}.${field}` : pathPrefix;
  if (e.code === '23505') {
    return new ApiError(409, 'conflict', [{ path, message: `already in use${e.detail ? `: ${e.detail}` : ''}` }], 'conflict');
  }
  if (e.code === '23503') {
    const deleting = /still referenced|is still referenced/.test(e.detail ?? e.message ?? '');
    return deleting
      ? new ApiError(409, 'still referenced', [{ path: 'params.id', message: e.detail ?? 'other records refer to it' }], 'reference.in_use')
      : new ApiError(422, 'unknown reference', [{ path, message: e.detail ?? 'refers to a record that does not exist' }], 'reference.broken');
  }
  if (e.code === '23514' || e.code === '22P02' || e.code === '22003') {
    return new ApiError(422, 'rejected by the store', [{ path, message: e.message ?? 'constraint violated' }], 'rule.violated');
  }
  return undefined;
}

/**
 * Stable error codes: the pages translate them (the English `error` text may change).
 * Shared by the HTTP API and the live socket; a status without a more precise code gets its default
 * (src/api/errors.ts).
 */
export const errorCodes = [
  'validation.failed', 'body.required', 'body.malformed_json', 'body.not_json', 'body.unsupported_encoding', 'body.too_large',
  'auth.required', 'auth.malformed_header', 'auth.invalid_token', 'auth.token_expired', 'auth.invalid_credentials',
  'auth.rate_limited', 'auth.wrong_password', 'auth.not_a_session', 'auth.forbidden',
  'not_found', 'route.not_found', 'conflict', 'reference.in_use', 'reference.broken', 'rule.violated',
  'rate_limited', 'service.unavailable', 'internal',
] as const;
export type ErrorCode = (typeof errorCodes)[number];


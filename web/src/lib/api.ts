import { hasKey, t } from './i18n.js';

/**
 * HTTP to the service. Every API error is `{ error, code?, details: [{ path, message }] }`;
 * the page shows the translation of `code` when it knows it, else the server's `error`.
 */
export interface ErrorDetail {
  path: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string | undefined,
    readonly details: ErrorDetail[],
    readonly retryAfterS?: number,
  ) {
    super(message);
  }
}

let tokenSource: () => string | undefined = () => undefined;
let onUnauthorized: () => void = () => {};

/** The session module tells the API module where the token is and what to do when it stops working. */
export function configureApi(opts: { token: () => string | undefined; unauthorized: () => void }): void {
  tokenSource = opts.token;
  onUnauthorized = opts.unauthorized;
}

export interface RequestOptions {
  body?: unknown;
  /** Send this token instead of the session's (signing in). */
  token?: string;
  /** Do not sign out on 401 (the sign-in itself). */
  quiet401?: boolean;
  signal?: AbortSignal;
}

export interface RawResponse<T> {
  status: number;
  body: T;
  headers: Headers;
}

export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<RawResponse<T>> {
  const headers: Record<string, string> = {};
  const token = opts.token ?? tokenSource();
  if (token) headers.authorization = `Bearer ${token}`;
  let body: string | undefined;
  if (opts.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body, signal: opts.signal });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, (err as Error).message, 'client.network', []);
  }
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = text;
  }
  if (!res.ok && res.status !== 304) {
    const e = (parsed ?? {}) as { error?: string; code?: string; details?: ErrorDetail[] };
    const retry = Number(res.headers.get('retry-after'));
    const err = new ApiError(
      res.status, typeof e.error === 'string' ? e.error : `HTTP ${res.status}`, typeof e.code === 'string' ? e.code : undefined,
      Array.isArray(e.details) ? e.details : [], Number.isFinite(retry) && retry > 0 ? retry : undefined,
    );
    if (res.status === 401 && !opts.quiet401) onUnauthorized();
    throw err;
  }
  return { status: res.status, body: parsed as T, headers: res.headers };
}

export async function getJson<T>(path: string, opts?: RequestOptions): Promise<T> {
  return (await request<T>('GET', path, opts)).body;
}

export async function sendJson<T>(method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown, opts?: RequestOptions): Promise<T> {
  return (await request<T>(method, path, { ...opts, body })).body;
}

/** Reads every page of a list route (limit ≤ 1000), up to `cap` records. */
export async function listAll<T>(path: string, cap = 50_000, signal?: AbortSignal): Promise<T[]> {
  const items: T[] = [];
  const sep = path.includes('?') ? '&' : '?';
  for (let offset = 0; offset < cap; offset += 1000) {
    const page = await getJson<{ items: T[]; total?: number }>(`${path}${sep}limit=1000&offset=${offset}`, { signal });
    items.push(...page.items);
    if (page.items.length < 1000 || (page.total !== undefined && items.length >= page.total)) break;
  }
  return items;
}

/** The text a person reads for an error: the translated code, else the server's words. */
export function errorText(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.code && hasKey(`errors.${err.code}`)) return t(`errors.${err.code}`, { seconds: err.retryAfterS ?? 60 });
    if (hasKey(`errors.status${err.status}`)) return `${t(`errors.status${err.status}`)} (${err.message})`;
    return err.message;
  }
  return (err as Error)?.message ?? String(err);
}

/** Details keyed by the field they name (`body.plate` → `plate`), for messages under form fields. */
export function fieldErrors(err: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!(err instanceof ApiError)) return out;
  for (const d of err.details) {
    const field = d.path.replace(/^body\./, '');
    out[field] ??= d.message;
  }
  return out;
}

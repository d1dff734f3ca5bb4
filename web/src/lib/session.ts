import { ApiError, configureApi, getJson, request, sendJson } from './api.js';
import { isStaffRole, type Role } from './roles.js';

/**
 * Who is signed in. People sign in with name and password (POST /auth/login → a session
 * token); integrations and the first admin can still sign in with an API token. Either
 * way the page holds one bearer token, sent on REST and on the socket.io handshake.
 */
export interface SessionUser {
  id?: string;
  name?: string;
  displayName?: string;
  role: Role;
  vehicleId?: string;
  contractor?: string;
  district?: string;
}

export interface Session {
  token: string;
  /** 'user': a person's login session; 'token': an API token pasted in. */
  kind: 'user' | 'token';
  expiresAt?: string;
  user: SessionUser;
}

const SESSION_KEY = 'sanifleet.session';
const LEGACY_TOKEN_KEY = 'sanifleet.token';

let current: Session | undefined;
/** Why the last session ended, shown on the login page ('expired' after a 401). */
let endReason: 'expired' | undefined;
const listeners = new Set<() => void>();

function emit(): void {
  for (const l of listeners) l();
}

export function onSessionChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function session(): Session | undefined {
  return current;
}

export function takeEndReason(): 'expired' | undefined {
  const r = endReason;
  endReason = undefined;
  return r;
}

function save(s: Session | undefined): void {
  current = s;
  try {
    if (s) localStorage.setItem(SESSION_KEY, JSON.stringify(s));
    else localStorage.removeItem(SESSION_KEY);
    localStorage.removeItem(LEGACY_TOKEN_KEY);
  } catch {
    // storage blocked: the session lasts as long as the tab
  }
  emit();
}

configureApi({
  token: () => current?.token,
  unauthorized: () => {
    if (!current) return;
    endReason = 'expired';
    save(undefined);
  },
});

/** GET /auth/me: a person's session names the user; an API token names itself (a driver's token its vehicle). */
interface MeAnswer {
  credential?: 'session' | 'api_token';
  role?: string;
  user?: SessionUser & { role: string };
  token?: { tokenId: string; role: string; vehicleId?: string; label?: string };
}

/** Who a token belongs to, as the service says (GET /auth/me). */
export async function whoIs(token: string): Promise<SessionUser> {
  const me = await getJson<MeAnswer>('/api/v1/auth/me', { token, quiet401: true });
  const role = me.user?.role ?? me.role ?? me.token?.role;
  if (!role || !isStaffRole(role)) throw new ApiError(403, `role ${role ?? '?'}`, 'client.role_without_pages', []);
  if (me.user) return { ...me.user, role };
  return { role, vehicleId: me.token?.vehicleId, displayName: me.token?.label };
}

export async function signIn(name: string, password: string): Promise<void> {
  const answer = await sendJson<{ token: string; expiresAt?: string; user: SessionUser & { role: string } }>(
    'POST', '/api/v1/auth/login', { name, password }, { quiet401: true },
  );
  if (!isStaffRole(answer.user.role)) throw new ApiError(403, `role ${answer.user.role}`, 'client.role_without_pages', []);
  save({ token: answer.token, kind: 'user', expiresAt: answer.expiresAt, user: answer.user });
}

export async function signInWithToken(token: string): Promise<void> {
  const user = await whoIs(token);
  save({ token, kind: 'token', user });
}

export async function signOut(): Promise<void> {
  const s = current;
  save(undefined);
  // Ending a login session on the server; an API token stays valid (it is revoked on the admin page).
  if (s?.kind === 'user') await request('POST', '/api/v1/auth/logout', { token: s.token, quiet401: true }).catch(() => undefined);
}

/**
 * At page load: a `?token=` (integrations open the page with one; it leaves the address
 * bar at once), else the stored session, checked against the server.
 */
export async function restoreSession(): Promise<void> {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    url.searchParams.delete('token');
    history.replaceState(history.state, '', url.toString());
    try {
      await signInWithToken(fromUrl);
      return;
    } catch {
      // fall through to the login page
    }
  }
  let stored: Session | undefined;
  try {
    const raw = localStorage.getItem(SESSION_KEY);
    if (raw) stored = JSON.parse(raw) as Session;
    const legacy = localStorage.getItem(LEGACY_TOKEN_KEY);
    if (!stored && legacy) stored = { token: legacy, kind: 'token', user: { role: 'dispatcher' } };
  } catch {
    stored = undefined;
  }
  if (!stored?.token) return;
  if (stored.expiresAt && Date.parse(stored.expiresAt) <= Date.now()) {
    endReason = 'expired';
    save(undefined);
    return;
  }
  try {
    const user = await whoIs(stored.token);
    save({ ...stored, user: { ...stored.user, ...user } });
  } catch (err) {
    // Refused: sign in again. Unreachable: keep the session; the pages say the server is away.
    if (err instanceof ApiError && (err.status === 401 || err.status === 403)) {
      endReason = 'expired';
      save(undefined);
    } else {
      save(stored);
    }
  }
}

/** Replace the signed-in user's details (after a password change or an edit of oneself). */
export function updateUser(user: Partial<SessionUser>): void {
  if (current) save({ ...current, user: { ...current.user, ...user } });
}

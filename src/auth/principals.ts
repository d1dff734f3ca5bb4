import type { TokenStore } from './api-tokens.js';
import type { Principal, PrincipalSource, TokenCheck } from '../domain/principal.js';
import { SESSION_PREFIX, type SessionStore } from './sessions.js';

/**
 * One resolver for every credential a client may present: login sessions (prefix `ss_`)
 * and API tokens (everything else). The HTTP routes and the socket.io hub both ask it.
 */
export class PrincipalResolver implements PrincipalSource {
  constructor(private readonly tokens: TokenStore, private readonly sessions: SessionStore) {}

  check(token: string): Promise<TokenCheck> {
    return token.startsWith(SESSION_PREFIX) ? this.sessions.check(token) : this.tokens.check(token);
  }

  async verify(token: string): Promise<Principal | null> {
    const r = await this.check(token);
    return 'principal' in r ? r.principal : null;
  }
}

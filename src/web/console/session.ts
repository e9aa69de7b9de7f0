/**
 * The signed-in session: the token lives in this module's memory only (never localStorage,
 * sessionStorage or a cookie), so closing or reloading the tab signs out. The client calls the
 * same origin's public API, nothing else.
 */
import { VeilClient } from '../../client/index.js';
import type { Me } from '../../client/index.js';

export interface Session {
  readonly client: VeilClient;
  readonly me: Me;
}

/** Signs in with a pasted token or API key: the server says who it is, or why not. */
export async function signIn(token: string): Promise<Session> {
  const client = new VeilClient({ baseUrl: window.location.origin, token: token.trim(), retries: 2 });
  const me = await client.me();
  return { client, me };
}

/** Whether the session's roles grant `permission` (the API refuses it anyway when not). */
export function can(session: Session, permission: string): boolean {
  return session.me.permissions.includes(permission);
}

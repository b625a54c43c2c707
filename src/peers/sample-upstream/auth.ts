/**
 * HTTP Basic authentication of the sample upstream (RFC 7617). The upstream decides
 * authentication, as Exchange does; OPTIONS needs it too ([MS-ASHTTP] 2.2.1.1.2.1).
 */
import type { SampleUser } from './options.js';

export interface BasicCredentials {
  /** The logon name as sent: `alice`, `EXAMPLE\alice` or `alice@example.test`. */
  login: string;
  password: string;
}

export function parseBasic(header: string | undefined): BasicCredentials | undefined {
  const m = header === undefined ? null : /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (m === null) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { login: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Splits `DOMAIN\user` and `user@domain` ([MS-ASHTTP] 2.2.1.1.1.2: any logon form). */
export function splitLogin(login: string): { name: string; domain: string | undefined } {
  const slash = login.indexOf('\\');
  if (slash >= 0) return { name: login.slice(slash + 1), domain: login.slice(0, slash) };
  const at = login.lastIndexOf('@');
  if (at >= 0) return { name: login.slice(0, at), domain: login.slice(at + 1) };
  return { name: login, domain: undefined };
}

/** The user a logon name denotes, whichever form it has, or undefined. */
export function findUser(login: string, users: readonly SampleUser[]): SampleUser | undefined {
  const { name, domain } = splitLogin(login);
  const u = users.find((x) => x.name.toLowerCase() === name.toLowerCase());
  if (u === undefined || domain === undefined) return u;
  const d = domain.toLowerCase();
  const full = (u.domain ?? '').toLowerCase();
  // DOMAIN\user carries the NetBIOS name, which we take as the first DNS label.
  return d === full || d === full.split('.')[0] ? u : undefined;
}

/** The user whose credentials the Authorization header carries, or undefined. */
export function authenticate(header: string | undefined, users: readonly SampleUser[]): SampleUser | undefined {
  const creds = parseBasic(header);
  if (creds === undefined) return undefined;
  const u = findUser(creds.login, users);
  return u !== undefined && u.password === creds.password ? u : undefined;
}

export function addressOf(u: SampleUser): string {
  return `${u.name}@${u.domain ?? 'example.test'}`;
}

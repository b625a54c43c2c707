/**
 * Who the Authorization header says the device is. The upstream decides whether the
 * credentials are good; the gateway only reads the name (Basic: the user part; Bearer:
 * the token's user claim, decoded but not trusted). The secret is never kept.
 */
export type AuthScheme = 'none' | 'basic' | 'bearer' | 'other';

export interface AuthIdentity {
  scheme: AuthScheme;
  /** The name as sent: `user`, `DOMAIN\user` or `user@domain`. */
  user: string | undefined;
}

const NONE: AuthIdentity = Object.freeze({ scheme: 'none', user: undefined });
/** Claims that carry a user name in Exchange/Entra tokens, most specific first. */
const USER_CLAIMS = ['upn', 'unique_name', 'preferred_username', 'email', 'sub'] as const;

export function readAuthorization(header: string | undefined): AuthIdentity {
  if (header === undefined || header.length === 0) return NONE;
  const space = header.indexOf(' ');
  const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
  const value = space < 0 ? '' : header.slice(space + 1).trim();
  if (scheme === 'basic') return { scheme: 'basic', user: basicUser(value) };
  if (scheme === 'bearer') return { scheme: 'bearer', user: bearerUser(value) };
  return { scheme: 'other', user: undefined };
}

function basicUser(value: string): string | undefined {
  if (value.length === 0 || value.length > 4096) return undefined;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const user = colon < 0 ? decoded : decoded.slice(0, colon);
  return user.length > 0 && user.length <= 320 ? user : undefined;
}

function bearerUser(token: string): string | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[1] === undefined || parts[1].length > 16_384) return undefined;
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof claims !== 'object' || claims === null) return undefined;
  for (const claim of USER_CLAIMS) {
    const v = (claims as Record<string, unknown>)[claim];
    if (typeof v === 'string' && v.length > 0 && v.length <= 320) return v;
  }
  return undefined;
}

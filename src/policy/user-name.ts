/**
 * Users are named as lower-cased mail addresses. Devices and Authorization headers name
 * them three ways ([MS-ASHTTP] 2.2.1.1.1.2.5, Basic credentials): a UPN `user@domain`,
 * a down-level logon name `DOMAIN\user`, or a bare `user`.
 */
export interface UserNamingOptions {
  /** NetBIOS domain name → mail domain, e.g. { CONTOSO: 'contoso.com' }; names compare without case. */
  netbiosDomains?: Readonly<Record<string, string>>;
  /** Mail domain for a bare user name (EASGATE_DEFAULT_DOMAIN). */
  defaultDomain?: string;
}

export type UserNormalizer = (raw: string) => string;

/** Builds a normaliser once (the NetBIOS map is indexed by lower-cased name). */
export function createUserNormalizer(options: UserNamingOptions = {}): UserNormalizer {
  const netbios = new Map<string, string>();
  for (const [name, domain] of Object.entries(options.netbiosDomains ?? {})) {
    netbios.set(name.toLowerCase(), domain.toLowerCase());
  }
  const defaultDomain = options.defaultDomain?.toLowerCase();
  return (raw: string): string => {
    const name = raw.trim().toLowerCase();
    const slash = name.indexOf('\\');
    if (slash >= 0) {
      const domain = netbios.get(name.slice(0, slash));
      // Unmapped: kept as it came, so that two unmapped domains never merge their users.
      return domain === undefined ? name : `${name.slice(slash + 1)}@${domain}`;
    }
    if (name.includes('@') || defaultDomain === undefined || name.length === 0) return name;
    return `${name}@${defaultDomain}`;
  };
}

/** One-off normalisation; build a normaliser with createUserNormalizer for the hot path. */
export function normalizeUser(raw: string, options: UserNamingOptions = {}): string {
  return createUserNormalizer(options)(raw);
}

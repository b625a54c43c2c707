import type { License } from './model.js';

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

/**
 * The first instant at which the license no longer allows sync (Infinity: never). A
 * date-only expiry is valid through that day in UTC; NaN means the value does not parse.
 */
export function licenseEndMs(license: License | undefined): number {
  const at = license?.expiresAt;
  if (at === undefined) return Infinity;
  if (DATE_ONLY.test(at)) {
    const start = Date.parse(`${at}T00:00:00Z`);
    return Number.isNaN(start) || new Date(start).toISOString().slice(0, 10) !== at ? NaN : start + DAY_MS;
  }
  return Date.parse(at);
}

export interface LicenseStatus {
  /** Infinity when no license limit is set. */
  total: number;
  inUse: number;
  expired: boolean;
  /** Whole days until the end (0 on the last day); undefined without expiry. */
  daysRemaining: number | undefined;
  /** More users enabled than licensed: sync is refused (reason License). */
  overLimit: boolean;
  /** No further user may be enabled. */
  full: boolean;
}

/** What GET /license reports and what the mailbox writes check. */
export function licenseStatus(license: License | undefined, inUse: number, now: number): LicenseStatus {
  const total = license?.total ?? Infinity;
  const end = licenseEndMs(license);
  return {
    total,
    inUse,
    expired: now >= end,
    daysRemaining: Number.isFinite(end) ? Math.max(0, Math.floor((end - now) / DAY_MS)) : undefined,
    overLimit: inUse > total,
    full: inUse >= total,
  };
}

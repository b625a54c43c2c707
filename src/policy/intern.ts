/**
 * A bounded pool of shared strings. Cached mailboxes and associations are decoded from the
 * store, each with its own copies of the same few values (domain, device type, model, OS,
 * user agent); sharing one copy keeps those strings, and their cached hashes, hot in the
 * CPU caches that evaluate's Map look-ups touch. Once full, new values pass through as they are.
 */
const MAX = 50_000;
const pool = new Map<string, string>();

export function intern(s: string): string {
  const held = pool.get(s);
  if (held !== undefined) return held;
  if (pool.size < MAX) pool.set(s, s);
  return s;
}

/** The same object with its rule-relevant strings shared (the object is changed in place). */
export function internDevice<T extends { deviceType?: string; model?: string; os?: string; userAgent?: string }>(a: T): T {
  if (a.deviceType !== undefined) a.deviceType = intern(a.deviceType);
  if (a.model !== undefined) a.model = intern(a.model);
  if (a.os !== undefined) a.os = intern(a.os);
  if (a.userAgent !== undefined) a.userAgent = intern(a.userAgent);
  return a;
}

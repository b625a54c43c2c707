import type { PolicyDocument } from '../policy/index.js';
import type { Store } from './types.js';

export interface ApplyReport {
  /** Objects written because they differed from the store. */
  written: { system: boolean; organization: boolean; domains: number; rules: number; deviceIds: number; mailboxes: number; policies: number };
  /** Objects that already matched the file. */
  unchanged: number;
  /** Users the file enables but the license does not let in (new ones are stored disabled, reason License). */
  licenseRefused: string[];
}

/** Key-order-independent JSON, so that equal objects compare equal whatever wrote them. */
function canon(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x !== null && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : x,
  );
}

/**
 * Applies a validated policy document as an idempotent upsert: each listed object is
 * written only when it differs from the stored one (a restart with the same file writes
 * nothing and notifies no replica). Mailboxes go through the license (the file's, else the
 * stored one): a new user over the limit is stored disabled (reason License), an existing
 * one stays as it is; both are reported, and a later start retries them.
 */
export async function applyPolicy(store: Store, doc: PolicyDocument): Promise<ApplyReport> {
  const report: ApplyReport = {
    written: { system: false, organization: false, domains: 0, rules: 0, deviceIds: 0, mailboxes: 0, policies: 0 },
    unchanged: 0,
    licenseRefused: [],
  };
  const held = await store.loadPolicy();
  // Policies first: what the rest of the file assigns exists before it is assigned.
  const heldPolicies = new Map((held.easPolicies ?? []).map((p) => [p.name, p]));
  for (const p of doc.policies) {
    if (canon(p) === canon(heldPolicies.get(p.name))) {
      report.unchanged++;
      continue;
    }
    await store.putEasPolicy(p);
    report.written.policies++;
  }
  const same = (a: unknown, b: unknown): boolean => {
    const eq = canon(a) === canon(b);
    if (eq) report.unchanged++;
    return eq;
  };
  if (doc.system !== undefined && !same(doc.system, held.system)) {
    await store.putSystem(doc.system);
    report.written.system = true;
  }
  if (doc.organization !== undefined && !same(doc.organization, held.organization)) {
    await store.putOrganization(doc.organization);
    report.written.organization = true;
  }
  const upsert = async <T>(items: readonly T[], current: readonly T[], key: (t: T) => string, put: (t: T) => Promise<void>): Promise<number> => {
    const byKey = new Map(current.map((c) => [key(c), c]));
    let n = 0;
    for (const item of items) {
      if (same(item, byKey.get(key(item)))) continue;
      await put(item);
      n++;
    }
    return n;
  };
  report.written.domains = await upsert(doc.domains, held.domains, (d) => d.name, (d) => store.putDomain(d));
  report.written.rules = await upsert(doc.rules, held.rules, (r) => r.id, (r) => store.putRule(r));
  report.written.deviceIds = await upsert(doc.deviceIds, held.deviceIds, (e) => e.deviceId.toLowerCase(), (e) => store.putDeviceId(e));

  const total = (doc.system ?? held.system).license?.total;
  const limit = total === undefined ? {} : { licenseLimit: total };
  for (const m of doc.mailboxes) {
    const current = await store.getMailbox(m.user);
    if (same(m, current)) continue;
    const r = await store.putMailbox(m, { ...limit, createOnly: current === undefined });
    if (r.status === 'license-limit' || (r.status === 'ok' && m.activeSyncEnabled && r.mailbox?.activeSyncEnabled === false)) {
      report.licenseRefused.push(m.user);
    }
    if (r.status === 'ok') report.written.mailboxes++;
  }
  return report;
}

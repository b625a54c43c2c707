import { deviceKey, type AccessState, type Association } from '../policy/index.js';
import type { AssociationQuery, Store } from '../store/index.js';
import { associationObject, DAY_MS, iso, type ActionContext } from './context.js';
import { invalid } from './errors.js';
import { hasId, MAX_LISTED_IDS, updateMailbox } from './mailbox-write.js';

/**
 * Bulk actions over the associations, each reporting what it did (or, with dryRun, would do):
 * grandfather (allow every device seen since a time, so that a Quarantine default locks
 * nobody out) and purge (remove stale associations).
 */
const REPORT_ITEMS = 1000;

export interface ReportItem {
  user: string;
  deviceId: string;
  result: string;
}

export interface BulkReport {
  dryRun: boolean;
  counts: Record<string, number>;
  items: ReportItem[];
  truncated: boolean;
}

/** The access state a device would get on its next request (the recorded one when no judge is given). */
export type Judge = (batch: readonly Association[]) => Promise<Association[]>;

async function* associationsOf(store: Store, query: AssociationQuery): AsyncGenerator<Association[]> {
  let cursor: string | undefined;
  do {
    const p = await store.queryAssociations({ ...query, limit: 1000, ...(cursor === undefined ? {} : { cursor }) });
    yield p.items;
    cursor = p.nextCursor ?? undefined;
  } while (cursor !== undefined);
}

function report(dryRun: boolean, counts: Record<string, number>, items: ReportItem[]): BulkReport {
  return { dryRun, counts, items: items.slice(0, REPORT_ITEMS), truncated: items.length > REPORT_ITEMS };
}

/** Adds one user's allowed devices to their mailbox's allowed list (one write per user). */
async function grandfatherUser(ctx: ActionContext, user: string, devices: Association[], dryRun: boolean, items: ReportItem[]): Promise<void> {
  const m = await ctx.store.getMailbox(user);
  const add = devices.filter((a) => {
    const result = hasId(m?.blockedDeviceIds ?? [], a.deviceId) ? 'skipped-blocked' : hasId(m?.allowedDeviceIds ?? [], a.deviceId) ? 'already-allowed' : undefined;
    if (result !== undefined) items.push({ user, deviceId: a.deviceId, result });
    return result === undefined;
  });
  if (add.length === 0) return;
  if ((m?.allowedDeviceIds.length ?? 0) + add.length > MAX_LISTED_IDS) {
    for (const a of add) items.push({ user, deviceId: a.deviceId, result: 'skipped-list-full' });
    return;
  }
  for (const a of add) items.push({ user, deviceId: a.deviceId, result: dryRun ? 'would-allow' : 'allowed' });
  if (dryRun) return;
  const { before, next } = await updateMailbox(ctx.store, user, (mb) => ({ ...mb, allowedDeviceIds: [...mb.allowedDeviceIds, ...add.map((a) => a.deviceId)] }));
  ctx.audit({ action: 'mailbox.grandfather', object: `mailbox:${user}`, before: { allowedDeviceIds: before?.allowedDeviceIds ?? [] }, after: { allowedDeviceIds: next.allowedDeviceIds } });
}

/**
 * Every device seen since `since` that is allowed now (by the decision its next request would
 * get, `judge`) goes on its mailbox's allowed list.
 */
export async function grandfather(ctx: ActionContext, input: { since: number; dryRun?: boolean | undefined }, judge: Judge): Promise<BulkReport & { since: string }> {
  if (!Number.isFinite(input.since) || input.since > ctx.now()) throw invalid('since', 'a time in the past');
  const dryRun = input.dryRun === true;
  const items: ReportItem[] = [];
  let scanned = 0;
  for await (const stored of associationsOf(ctx.store, { index: 'lastSync', after: input.since })) {
    scanned += stored.length;
    const byUser = new Map<string, Association[]>();
    for (const a of await judge(stored)) {
      if (a.accessState !== 'Allowed') items.push({ user: a.user, deviceId: a.deviceId, result: `skipped-${a.accessState}` });
      else byUser.set(a.user, [...(byUser.get(a.user) ?? []), a]);
    }
    for (const [user, devices] of byUser) await grandfatherUser(ctx, user, devices, dryRun, items);
  }
  const counts: Record<string, number> = { scanned };
  for (const i of items) counts[i.result] = (counts[i.result] ?? 0) + 1;
  return { since: iso(input.since), ...report(dryRun, counts, items) };
}

/** Removes associations in a state for more than N days, or (no state) without a sync attempt for N days. */
export async function purge(ctx: ActionContext, input: { state?: AccessState | undefined; olderThanDays: number; dryRun?: boolean | undefined }): Promise<BulkReport & { cutoff: string }> {
  const dryRun = input.dryRun === true;
  const cutoff = ctx.now() - input.olderThanDays * DAY_MS;
  const query: AssociationQuery = input.state === undefined ? { index: 'lastSync', before: cutoff } : { index: 'state', state: input.state, before: cutoff };
  const items: ReportItem[] = [];
  for await (const batch of associationsOf(ctx.store, query)) {
    for (const a of batch) {
      if (!dryRun && !(await ctx.store.deleteAssociation(a.user, a.deviceId))) continue;
      items.push({ user: a.user, deviceId: a.deviceId, result: dryRun ? 'would-remove' : 'removed' });
      if (!dryRun) {
        ctx.audit({ action: 'association.purge', object: associationObject(a), before: { accessState: a.accessState, accessStateAt: a.accessStateAt, lastSyncAttemptAt: a.lastSyncAttemptAt ?? null, deviceKey: deviceKey(a.deviceId) } });
      }
    }
  }
  return { cutoff: iso(cutoff), ...report(dryRun, { [dryRun ? 'would-remove' : 'removed']: items.length }, items) };
}

import { deviceKey, type AccessState, type Association } from '../../policy/index.js';
import type { AssociationQuery, Store } from '../../store/index.js';
import { invalid } from '../errors.js';
import { route, type ApiContext } from '../route.js';
import { s } from '../schema.js';
import { STATE, TIME } from '../schemas.js';
import { associationObject, DAY_MS, hasId, iso, MAX_LISTED_IDS, updateMailbox } from './common.js';

/**
 * Bulk actions over the associations, each reporting what it did (or, with dryRun, would do):
 * grandfather (allow every device seen since a time, so that a Quarantine default locks
 * nobody out) and purge (remove stale associations).
 */
const REPORT_ITEMS = 1000;
const REPORT = s.any('{ dryRun, counts, items: [{ user, deviceId, result }] (the first 1000), truncated }');

interface Item {
  user: string;
  deviceId: string;
  result: string;
}

async function* associationsOf(store: Store, query: AssociationQuery): AsyncGenerator<Association[]> {
  let cursor: string | undefined;
  do {
    const p = await store.queryAssociations({ ...query, limit: 1000, ...(cursor === undefined ? {} : { cursor }) });
    yield p.items;
    cursor = p.nextCursor ?? undefined;
  } while (cursor !== undefined);
}

function report(dryRun: boolean, counts: Record<string, number>, items: Item[]): Record<string, unknown> {
  return { dryRun, counts, items: items.slice(0, REPORT_ITEMS), truncated: items.length > REPORT_ITEMS };
}

/** Adds one user's allowed devices to their mailbox's allowed list (one write per user). */
async function grandfatherUser(ctx: ApiContext<unknown, unknown, unknown>, user: string, devices: Association[], dryRun: boolean, items: Item[]): Promise<void> {
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

export const actionRoutes = [
  route({
    method: 'POST',
    path: '/actions/grandfather',
    tag: 'actions',
    summary: "Allow every device seen since a time that is allowed now, through its mailbox's allowed list (before turning the default to Quarantine)",
    permission: 'admin',
    body: s.object({ since: TIME, dryRun: s.optional(s.bool()) }),
    response: REPORT,
    handler: async (ctx) => {
      const since = Date.parse(ctx.body.since);
      if (since > ctx.now()) throw invalid('since', 'a time in the past');
      const dryRun = ctx.body.dryRun === true;
      const items: Item[] = [];
      let scanned = 0;
      for await (const batch of associationsOf(ctx.store, { index: 'lastSync', after: since })) {
        scanned += batch.length;
        const byUser = new Map<string, Association[]>();
        for (const a of batch) {
          if (a.accessState !== 'Allowed') items.push({ user: a.user, deviceId: a.deviceId, result: `skipped-${a.accessState}` });
          else byUser.set(a.user, [...(byUser.get(a.user) ?? []), a]);
        }
        for (const [user, devices] of byUser) await grandfatherUser(ctx, user, devices, dryRun, items);
      }
      const counts: Record<string, number> = { scanned };
      for (const i of items) counts[i.result] = (counts[i.result] ?? 0) + 1;
      return { since: iso(since), ...report(dryRun, counts, items) };
    },
  }),
  route({
    method: 'POST',
    path: '/actions/purge',
    tag: 'actions',
    summary: 'Remove associations in a state for more than N days, or (no state) without a sync attempt for N days',
    permission: 'admin',
    body: s.object({ state: s.optional(STATE), olderThanDays: s.int(1, 36_500), dryRun: s.optional(s.bool()) }),
    response: REPORT,
    handler: async (ctx) => {
      const { body, store } = ctx;
      const dryRun = body.dryRun === true;
      const cutoff = ctx.now() - body.olderThanDays * DAY_MS;
      const query: AssociationQuery = body.state === undefined ? { index: 'lastSync', before: cutoff } : { index: 'state', state: body.state as AccessState, before: cutoff };
      const items: Item[] = [];
      for await (const batch of associationsOf(store, query)) {
        for (const a of batch) {
          if (!dryRun && !(await store.deleteAssociation(a.user, a.deviceId))) continue;
          items.push({ user: a.user, deviceId: a.deviceId, result: dryRun ? 'would-remove' : 'removed' });
          if (!dryRun) ctx.audit({ action: 'association.purge', object: associationObject(a), before: { accessState: a.accessState, accessStateAt: a.accessStateAt, lastSyncAttemptAt: a.lastSyncAttemptAt ?? null, deviceKey: deviceKey(a.deviceId) } });
        }
      }
      return { cutoff: iso(cutoff), ...report(dryRun, { [dryRun ? 'would-remove' : 'removed']: items.length }, items) };
    },
  }),
];

import type { Association } from '../policy/index.js';
import { associationObject, findAssociation, requireAssociation, type ActionContext } from './context.js';
import { conflict, invalid } from './errors.js';

/**
 * Remote wipe, ordered here and delivered by the gateway itself on the device's next request
 * (src/proxy/wipe.ts): Clear-MobileDevice [-AccountOnly]. AccountOnlyRemoteWipe exists only
 * in EAS 16.1 ([MS-ASPROV] 2.2.2.1); an older device gets a full wipe only if the admin asks
 * for it (fallbackToFull), else a clear refusal.
 */
export interface WipeOrder {
  accountOnly?: boolean;
  fallbackToFull?: boolean;
}

const WIPE_FIELDS = ['wipeStatus', 'wipeAccountOnly', 'wipeRequestedAt', 'wipeRequestedBy', 'wipeSentAt', 'wipeAckAt'] as const;

function wipeView(a: Association): Record<string, unknown> {
  return Object.fromEntries(WIPE_FIELDS.filter((f) => a[f] !== undefined).map((f) => [f, a[f]]));
}

export async function orderWipe(ctx: ActionContext, user: string, deviceId: string, order: WipeOrder = {}): Promise<Association> {
  const a = await findAssociation(ctx, user, deviceId);
  if (a.wipeStatus === 'WipeSent' || a.wipeStatus === 'WipeSucceeded') {
    throw conflict(`the wipe directive was already sent to this device (${a.wipeStatus}); remove the association to start over`);
  }
  let accountOnly = order.accountOnly === true;
  if (accountOnly && a.protocolVersion !== '16.1') {
    if (order.fallbackToFull !== true) {
      throw invalid('accountOnly', `a device on EAS 16.1 (this one speaks ${a.protocolVersion ?? 'an unknown version'}); ask for a full wipe, or set fallbackToFull`);
    }
    accountOnly = false;
  }
  await ctx.store.updateAssociation(a.user, a.deviceId, {
    wipeStatus: 'WipePending',
    wipeAccountOnly: accountOnly,
    wipeRequestedAt: ctx.now(),
    wipeRequestedBy: ctx.actor,
    wipeSentAt: null,
    wipeAckAt: null,
  });
  const after = await requireAssociation(ctx.store, a.user, a.deviceId);
  ctx.audit({ action: 'association.wipe', object: associationObject(a), before: wipeView(a), after: wipeView(after) });
  return after;
}

/** Cancels a wipe not sent yet; nothing pending: nothing changes (still audited); sent already: refused. */
export async function cancelWipe(ctx: ActionContext, user: string, deviceId: string): Promise<Association> {
  const a = await findAssociation(ctx, user, deviceId);
  if (a.wipeStatus !== undefined && a.wipeStatus !== 'WipePending') throw conflict(`the wipe can no longer be cancelled: ${a.wipeStatus}`);
  if (a.wipeStatus === 'WipePending') await ctx.store.updateAssociation(a.user, a.deviceId, { wipeStatus: null, wipeAccountOnly: null, wipeRequestedAt: null, wipeRequestedBy: null });
  const after = await requireAssociation(ctx.store, a.user, a.deviceId);
  ctx.audit({ action: 'association.cancel-wipe', object: associationObject(a), before: wipeView(a), after: wipeView(after) });
  return after;
}

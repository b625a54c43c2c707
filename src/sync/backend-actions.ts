import { listDevice } from '../api/device-access.js';
import { associationObject as object } from '../api/routes/common.js';
import type { NewAuditEntry, Store } from '../store/index.js';
import type { BackendAction } from './backend/index.js';

/** The actor of every change the backend asks for, in the audit log and the state history. */
export const BACKEND_ACTOR = 'backend';

export type ActionOutcome = 'applied' | 'unknown-device' | 'refused';

/**
 * Applies one action pulled from the backend. Allow and block go through the admin API's
 * code path (device-access.ts); wipe records a pending wipe (WipePending, requested by the
 * backend; the gateway delivers it as the admin API's wipe) and cancel-wipe removes one
 * that was not sent yet. Each applied action is
 * audited with the backend as the actor and its id.
 */
export async function applyAction(store: Store, act: BackendAction, now: number, normalizeUser: (raw: string) => string): Promise<ActionOutcome> {
  const a = await store.getAssociation(normalizeUser(act.user), act.deviceId);
  if (a === undefined) return 'unknown-device';
  let entry: Pick<NewAuditEntry, 'action' | 'object' | 'before' | 'after'>;
  if (act.action === 'allow' || act.action === 'block') {
    const r = await listDevice(store, a, act.action === 'allow' ? 'Allow' : 'Block', now, BACKEND_ACTOR);
    if (r.outcome !== 'ok') return 'refused';
    entry = r.audit;
  } else if (act.action === 'wipe') {
    if (a.wipeStatus === 'WipeSent' || a.wipeStatus === 'WipeSucceeded' || a.wipeStatus === 'WipePending') return a.wipeStatus === 'WipePending' ? 'applied' : 'refused';
    // As the admin API's wipe orders it (src/api/routes/wipe.ts): a full wipe, delivered by the gateway on the device's next request.
    await store.updateAssociation(a.user, a.deviceId, { wipeStatus: 'WipePending', wipeAccountOnly: false, wipeRequestedAt: now, wipeRequestedBy: BACKEND_ACTOR, wipeSentAt: null, wipeAckAt: null });
    entry = { action: 'association.wipe', object: object(a), before: { wipeStatus: a.wipeStatus ?? null }, after: { wipeStatus: 'WipePending' } };
  } else {
    if (a.wipeStatus !== 'WipePending') return a.wipeStatus === undefined ? 'applied' : 'refused';
    await store.updateAssociation(a.user, a.deviceId, { wipeStatus: null, wipeRequestedAt: null, wipeRequestedBy: null, wipeAccountOnly: null });
    entry = { action: 'association.cancel-wipe', object: object(a), before: { wipeStatus: 'WipePending' }, after: { wipeStatus: null } };
  }
  await store.appendAudit([{ ...entry, at: now, actor: BACKEND_ACTOR, source: `backend-action:${act.id}` }]);
  return 'applied';
}

import { AdminError, allowDevice, blockDevice, cancelWipe, orderWipe, type ActionContext } from '../actions/index.js';
import type { NewAuditEntry, Store } from '../store/index.js';
import type { BackendAction } from './backend/index.js';

/** The actor of every change the backend asks for, in the audit log and the state history. */
export const BACKEND_ACTOR = 'backend';

export type ActionOutcome = 'applied' | 'unknown-device' | 'refused';

/**
 * Applies one action pulled from the backend through the admin operations (src/actions), as
 * an admin's allow, block, wipe (a full wipe) or cancel-wipe would, with the backend as the
 * actor and the action's id as the source. A wipe already pending is left as it is; an
 * operation that refuses (a wipe sent already, the license, full device-ID lists) is refused.
 */
export async function applyAction(store: Store, act: BackendAction, now: number, normalizeUser: (raw: string) => string): Promise<ActionOutcome> {
  const user = normalizeUser(act.user);
  const a = await store.getAssociation(user, act.deviceId);
  if (a === undefined) return 'unknown-device';
  const entries: NewAuditEntry[] = [];
  const ctx: ActionContext = {
    store,
    actor: BACKEND_ACTOR,
    now: () => now,
    normalizeUser,
    audit: (e) => entries.push({ ...e, at: now, actor: BACKEND_ACTOR, source: `backend-action:${act.id}` }),
  };
  try {
    if (act.action === 'allow') await allowDevice(ctx, user, a.deviceId);
    else if (act.action === 'block') await blockDevice(ctx, user, a.deviceId);
    else if (act.action === 'wipe') {
      if (a.wipeStatus === 'WipePending') return 'applied';
      await orderWipe(ctx, user, a.deviceId);
    } else {
      if (a.wipeStatus === undefined) return 'applied';
      await cancelWipe(ctx, user, a.deviceId);
    }
  } catch (err) {
    if (err instanceof AdminError) return 'refused';
    throw err;
  }
  if (entries.length > 0) await store.appendAudit(entries);
  return 'applied';
}

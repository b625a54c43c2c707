import type { Association } from '../policy/index.js';
import type { NewAuditEntry, Store } from '../store/index.js';
import { associationObject, hasId, MAX_LISTED_IDS, updateMailbox, withoutId } from './routes/common.js';

export type DeviceListing =
  | { outcome: 'license-limit' }
  | { outcome: 'too-many' }
  | { outcome: 'ok'; audit: Pick<NewAuditEntry, 'action' | 'object' | 'before' | 'after'> };

/**
 * Allows or blocks one device of one mailbox as Set-CASMailbox does (its allowed or
 * blocked device-ID list; the other list loses it) and records the verdict. One code path
 * for the admin API's allow/block and the backend sync's actions; the caller audits.
 */
export async function listDevice(store: Store, a: Association, level: 'Allow' | 'Block', at: number, actor: string): Promise<DeviceListing> {
  const { before, write, next } = await updateMailbox(store, a.user, (m) => {
    const allowed = withoutId(m.allowedDeviceIds, a.deviceId);
    const blocked = withoutId(m.blockedDeviceIds, a.deviceId);
    (level === 'Allow' ? allowed : blocked).push(a.deviceId);
    return { ...m, allowedDeviceIds: allowed, blockedDeviceIds: blocked };
  });
  if (write.status === 'license-limit') return { outcome: 'license-limit' };
  if (next.allowedDeviceIds.length > MAX_LISTED_IDS || next.blockedDeviceIds.length > MAX_LISTED_IDS) return { outcome: 'too-many' };
  const state = level === 'Allow' ? 'Allowed' : 'Blocked';
  await store.setAccessState(a.user, a.deviceId, { state, reason: 'Individual', at, actor });
  const listed = (ids: readonly string[] | undefined): boolean => hasId(ids ?? [], a.deviceId);
  return {
    outcome: 'ok',
    audit: {
      action: level === 'Allow' ? 'association.allow' : 'association.block',
      object: associationObject(a),
      before: { accessState: a.accessState, accessReason: a.accessReason, allowed: listed(before?.allowedDeviceIds), blocked: listed(before?.blockedDeviceIds) },
      after: { accessState: state, accessReason: 'Individual', allowed: level === 'Allow', blocked: level === 'Block' },
    },
  };
}

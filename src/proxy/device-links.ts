import type { DeviceInformation } from '../eas/device-info.js';
import { deviceKey, type AccessLevel, type Association } from '../policy/index.js';
import type { AssociationPatch, Store } from '../store/index.js';
import { byUserAndImei } from '../sync/backend-link.js';

/**
 * What ties an association to the management backend's registered devices and to the
 * same phone's earlier device IDs (docs/backend-sync.md, "Linking"). Nothing here runs for
 * a known, linked device: only for a device without an association yet, or one that
 * reports its IMEI.
 */

/**
 * True when the decision needs the registered-device lookup first: an unregistered level
 * other than Allow, and a device not linked yet that is new or reports its IMEI now (what
 * the lookup can match on beyond what the association already says).
 */
export function registrationMatters(level: AccessLevel, a: Association | null, info: DeviceInformation | undefined): boolean {
  return level !== 'Allow' && (a === null || (a.backendDeviceId === undefined && info?.imei !== undefined));
}

/** The backendDeviceId of the registered device this request's device is, if any. */
export async function findRegistration(store: Store, user: string, deviceId: string, info: DeviceInformation | undefined): Promise<string | undefined> {
  return store.registeredDevices.find(deviceId, user, info?.imei);
}

/** The fields a link to a registered device sets. */
export function linkFields(backendDeviceId: string, at: number): Pick<Association, 'backendDeviceId' | 'linkedAt'> {
  return { backendDeviceId, linkedAt: at };
}

const WIPED: ReadonlySet<string | undefined> = new Set(['WipeSent', 'WipeSucceeded', 'WipeFailed']);

/**
 * The same phone under an earlier device ID (iOS takes a new one after a wipe): the
 * user's other associations that reported this IMEI, were sent a wipe and were not
 * replaced yet. Only wiped ones: two mail apps on one phone share the IMEI with different
 * device IDs, and neither replaces the other. Each is pointed to the new one (replacedBy)
 * and keeps its state and its wipe (the old ID gets only the wipe, whatever it sends);
 * returns the patch for the new association (replaces).
 */
export async function pointEarlierIds(store: Store, a: Pick<Association, 'user' | 'deviceId'>, imei: string): Promise<AssociationPatch | undefined> {
  const key = deviceKey(a.deviceId);
  const earlier = (await byUserAndImei(store, a.user, imei)).filter((o) => deviceKey(o.deviceId) !== key && o.replacedBy === undefined && WIPED.has(o.wipeStatus));
  if (earlier.length === 0) return undefined;
  // The newest earlier one is what this phone was last; older ones were replaced before.
  earlier.sort((x, y) => (y.lastSyncAttemptAt ?? y.firstSyncAt) - (x.lastSyncAttemptAt ?? x.firstSyncAt));
  for (const o of earlier) await store.updateAssociation(o.user, o.deviceId, { replacedBy: a.deviceId });
  return { replaces: earlier[0]!.deviceId };
}

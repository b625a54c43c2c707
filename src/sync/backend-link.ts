import type { Association } from '../policy/index.js';
import type { Store } from '../store/index.js';
import type { BackendDevice } from './backend/index.js';

export type LinkOutcome = 'linked' | 'unlinked' | 'unchanged' | 'unmatched';

/** Associations with this device ID (without regard to case), across users. */
async function byDeviceId(store: Store, deviceId: string): Promise<Association[]> {
  return (await store.queryAssociations({ index: 'deviceId', prefix: deviceId, exact: true, limit: 1000 })).items;
}

/** The user's associations that reported this IMEI (any case). */
export async function byUserAndImei(store: Store, user: string, imei: string): Promise<Association[]> {
  const mine = (await store.queryAssociations({ index: 'user', prefix: user, exact: true, limit: 1000 })).items;
  return mine.filter((a) => a.imei !== undefined && a.imei.toLowerCase() === imei.toLowerCase());
}

/**
 * The associations a backend device record names: by device ID first (narrowed to its
 * user when the record names one that matches), else by user plus IMEI.
 */
export async function matchDevice(store: Store, d: BackendDevice, normalizeUser: (raw: string) => string): Promise<Association[]> {
  const user = d.user === undefined || d.user === '' ? undefined : normalizeUser(d.user);
  if (d.deviceId !== undefined && d.deviceId !== '') {
    const all = await byDeviceId(store, d.deviceId);
    const theirs = user === undefined ? [] : all.filter((a) => a.user === user);
    if (all.length > 0) return theirs.length > 0 ? theirs : all;
  }
  if (user !== undefined && d.imei !== undefined && d.imei !== '') return byUserAndImei(store, user, d.imei);
  return [];
}

/**
 * Registered: the record is kept (a device that shows up later is linked by it, and it
 * stands while the backend is unreachable) and the matching associations are linked to it
 * (backendDeviceId, linkedAt). Not registered: the record is dropped and the associations
 * linked to it are unlinked.
 */
export async function linkDevice(store: Store, d: BackendDevice, now: number, normalizeUser: (raw: string) => string): Promise<LinkOutcome> {
  if (d.registered) {
    const user = d.user === undefined || d.user === '' ? undefined : normalizeUser(d.user);
    await store.registeredDevices.put({
      backendDeviceId: d.backendDeviceId,
      ...(d.deviceId !== undefined && d.deviceId !== '' ? { deviceId: d.deviceId } : {}),
      ...(user !== undefined ? { user } : {}),
      ...(d.imei !== undefined && d.imei !== '' ? { imei: d.imei } : {}),
    });
  } else {
    await store.registeredDevices.remove(d.backendDeviceId);
  }
  const matched = await matchDevice(store, d, normalizeUser);
  if (matched.length === 0) return 'unmatched';
  let outcome: LinkOutcome = 'unchanged';
  for (const a of matched) {
    if (d.registered && a.backendDeviceId !== d.backendDeviceId) {
      await store.updateAssociation(a.user, a.deviceId, { backendDeviceId: d.backendDeviceId, linkedAt: now });
      outcome = 'linked';
    } else if (!d.registered && a.backendDeviceId === d.backendDeviceId) {
      await store.updateAssociation(a.user, a.deviceId, { backendDeviceId: null, linkedAt: null });
      outcome = 'unlinked';
    }
  }
  return outcome;
}

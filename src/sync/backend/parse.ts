import { BACKEND_ACTIONS, type BackendAction, type BackendActionKind, type BackendDevice, type BackendPage } from './types.js';

/** Checks the backend's JSON against docs/backend-api.yaml; returns a reason when it does not fit. */
type Check<T> = (v: unknown) => T | string;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const optString = (o: Record<string, unknown>, k: string): boolean => o[k] === undefined || o[k] === null || typeof o[k] === 'string';
const str = (o: Record<string, unknown>, k: string): string | undefined => (typeof o[k] === 'string' ? o[k] : undefined);

export const checkDevice: Check<BackendDevice> = (v) => {
  if (!isObject(v)) return 'a device is not an object';
  if (typeof v.backendDeviceId !== 'string' || v.backendDeviceId === '') return 'a device has no backendDeviceId';
  if (typeof v.registered !== 'boolean') return 'a device has no boolean registered';
  for (const k of ['deviceId', 'user', 'imei']) if (!optString(v, k)) return `a device's ${k} is not a string`;
  const d: BackendDevice = { backendDeviceId: v.backendDeviceId, registered: v.registered };
  const deviceId = str(v, 'deviceId');
  const user = str(v, 'user');
  const imei = str(v, 'imei');
  if (deviceId !== undefined) d.deviceId = deviceId;
  if (user !== undefined) d.user = user;
  if (imei !== undefined) d.imei = imei;
  return d;
};

export const checkAction: Check<BackendAction> = (v) => {
  if (!isObject(v)) return 'an action is not an object';
  const { id, action, user, deviceId } = v;
  if (typeof id !== 'string' || id === '') return 'an action has no id';
  if (typeof action !== 'string' || !(BACKEND_ACTIONS as readonly string[]).includes(action)) return `action ${id} is not one of ${BACKEND_ACTIONS.join(', ')}`;
  if (typeof user !== 'string' || user === '' || typeof deviceId !== 'string' || deviceId === '') return `action ${id} has no user or deviceId`;
  return { id, action: action as BackendActionKind, user, deviceId };
};

/** `{ items: [...], nextCursor }`, each item checked. */
export function checkPage<T>(body: unknown, item: Check<T>): BackendPage<T> | string {
  if (!isObject(body) || !Array.isArray(body.items)) return 'the answer has no items array';
  const next = body.nextCursor;
  if (next !== undefined && next !== null && typeof next !== 'string') return 'nextCursor is not a string';
  const items: T[] = [];
  for (const raw of body.items) {
    const r = item(raw);
    if (typeof r === 'string') return r;
    items.push(r);
  }
  return { items, nextCursor: typeof next === 'string' ? next : null };
}

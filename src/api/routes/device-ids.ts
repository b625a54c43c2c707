import { deviceKey, type DeviceIdEntry } from '../../policy/index.js';
import { notFound } from '../errors.js';
import { route } from '../route.js';
import { s } from '../schema.js';
import { DEVICE_ID, DEVICE_ID_LEVEL, page } from '../schemas.js';

/** The organisation's device-ID list (loaned devices): Allow or Block a device ID for any mailbox. */
const ENTRY = s.any('{ deviceId, accessLevel: Allow|Block, note? }');
const PARAMS = s.object({ deviceId: DEVICE_ID });

export const deviceIdRoutes = [
  route({
    method: 'GET',
    path: '/device-ids',
    tag: 'device-ids',
    summary: 'The device-ID list',
    permission: 'read',
    response: page(ENTRY),
    handler: async ({ store }) => ({ items: (await store.listDeviceIds()).sort((a, b) => (deviceKey(a.deviceId) < deviceKey(b.deviceId) ? -1 : 1)), nextCursor: null }),
  }),
  route({
    method: 'GET',
    path: '/device-ids/{deviceId}',
    tag: 'device-ids',
    summary: 'One entry of the device-ID list',
    permission: 'read',
    params: PARAMS,
    response: ENTRY,
    handler: async ({ store, params }) => (await store.getDeviceId(params.deviceId)) ?? Promise.reject(notFound('device ID')),
  }),
  route({
    method: 'PUT',
    path: '/device-ids/{deviceId}',
    tag: 'device-ids',
    summary: 'Allow or block a device ID for every mailbox',
    permission: 'admin',
    params: PARAMS,
    body: s.object({ accessLevel: DEVICE_ID_LEVEL, note: s.optional(s.string({ max: 1000 })) }),
    response: ENTRY,
    handler: async ({ store, params, body, audit }) => {
      const held = await store.getDeviceId(params.deviceId);
      const entry: DeviceIdEntry = { deviceId: held?.deviceId ?? params.deviceId, accessLevel: body.accessLevel, ...(body.note === undefined ? {} : { note: body.note }) };
      await store.putDeviceId(entry);
      audit({ action: 'deviceId.put', object: `deviceId:${deviceKey(entry.deviceId)}`, before: held ?? null, after: entry });
      return entry;
    },
  }),
  route({
    method: 'DELETE',
    path: '/device-ids/{deviceId}',
    tag: 'device-ids',
    summary: 'Remove a device ID from the list',
    permission: 'admin',
    params: PARAMS,
    handler: async ({ store, params, audit }) => {
      const held = await store.getDeviceId(params.deviceId);
      if (held === undefined || !(await store.deleteDeviceId(params.deviceId))) throw notFound('device ID');
      audit({ action: 'deviceId.delete', object: `deviceId:${deviceKey(held.deviceId)}`, before: held });
      return undefined;
    },
  }),
];

import { route } from '../route.js';
import { s } from '../schema.js';
import { ASSOCIATION, DEVICE_PARAMS } from '../schemas.js';
import { associationObject, requireAssociation } from './common.js';

/**
 * Link an association to a management-backend device record by hand, or unlink it: for
 * the devices the backend sync cannot match (a second account on one phone, an IMEI the
 * device does not report). The backend sync's own matching may change it later.
 */
export const linkRoutes = [
  route({
    method: 'POST',
    path: '/associations/{user}/{deviceId}/link',
    tag: 'associations',
    summary: 'Link this association to the management backend device record named (Registered)',
    permission: 'act',
    params: DEVICE_PARAMS,
    body: s.object({ backendDeviceId: s.string({ min: 1, max: 256 }) }),
    response: ASSOCIATION,
    handler: async ({ store, params, body, normalizeUser, now, audit }) => {
      const a = await requireAssociation(store, normalizeUser(params.user), params.deviceId);
      const at = now();
      await store.updateAssociation(a.user, a.deviceId, { backendDeviceId: body.backendDeviceId, linkedAt: at });
      audit({ action: 'association.link', object: associationObject(a), before: { backendDeviceId: a.backendDeviceId ?? null }, after: { backendDeviceId: body.backendDeviceId } });
      return requireAssociation(store, a.user, a.deviceId);
    },
  }),
  route({
    method: 'POST',
    path: '/associations/{user}/{deviceId}/unlink',
    tag: 'associations',
    summary: 'Remove the link to a management backend device record (Unregistered)',
    permission: 'act',
    params: DEVICE_PARAMS,
    body: s.object({}),
    bodyOptional: true,
    response: ASSOCIATION,
    handler: async ({ store, params, normalizeUser, audit }) => {
      const a = await requireAssociation(store, normalizeUser(params.user), params.deviceId);
      await store.updateAssociation(a.user, a.deviceId, { backendDeviceId: null, linkedAt: null });
      audit({ action: 'association.unlink', object: associationObject(a), before: { backendDeviceId: a.backendDeviceId ?? null }, after: { backendDeviceId: null } });
      return requireAssociation(store, a.user, a.deviceId);
    },
  }),
];

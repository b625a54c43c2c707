import { linkDevice, NEEDS, unlinkDevice } from '../../actions/index.js';
import { route } from '../route.js';
import { s } from '../schema.js';
import { ASSOCIATION, DEVICE_PARAMS } from '../schemas.js';

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
    permission: NEEDS.link,
    params: DEVICE_PARAMS,
    body: s.object({ backendDeviceId: s.string({ min: 1, max: 256 }) }),
    response: ASSOCIATION,
    handler: ({ action, params, body }) => linkDevice(action, params.user, params.deviceId, body.backendDeviceId),
  }),
  route({
    method: 'POST',
    path: '/associations/{user}/{deviceId}/unlink',
    tag: 'associations',
    summary: 'Remove the link to a management backend device record (Unregistered)',
    permission: NEEDS.unlink,
    params: DEVICE_PARAMS,
    body: s.object({}),
    bodyOptional: true,
    response: ASSOCIATION,
    handler: ({ action, params }) => unlinkDevice(action, params.user, params.deviceId),
  }),
];

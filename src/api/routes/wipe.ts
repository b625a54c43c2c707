import { cancelWipe, NEEDS, orderWipe } from '../../actions/index.js';
import { route } from '../route.js';
import { s } from '../schema.js';
import { ASSOCIATION, DEVICE_PARAMS } from '../schemas.js';

/** Remote wipe, ordered here and delivered by the gateway on the device's next request (src/actions/wipe.ts). */
export const wipeRoutes = [
  route({
    method: 'POST',
    path: '/associations/{user}/{deviceId}/wipe',
    tag: 'associations',
    summary: "Order a remote wipe (accountOnly: AccountOnlyRemoteWipe, EAS 16.1 only); the gateway delivers it on the device's next request",
    permission: NEEDS.wipe,
    params: DEVICE_PARAMS,
    body: s.object({ accountOnly: s.optional(s.bool()), fallbackToFull: s.optional(s.bool()) }),
    bodyOptional: true,
    response: ASSOCIATION,
    handler: ({ action, params, body }) => orderWipe(action, params.user, params.deviceId, body ?? {}),
  }),
  route({
    method: 'POST',
    path: '/associations/{user}/{deviceId}/cancel-wipe',
    tag: 'associations',
    summary: 'Cancel a wipe that has not been sent to the device yet (no wipe pending: nothing changes; sent already: 409)',
    permission: NEEDS.cancelWipe,
    params: DEVICE_PARAMS,
    body: s.object({}),
    bodyOptional: true,
    response: ASSOCIATION,
    handler: ({ action, params }) => cancelWipe(action, params.user, params.deviceId),
  }),
];

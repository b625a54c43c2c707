import { allowDevice, blockDevice, NEEDS, ruleFromDevice } from '../../actions/index.js';
import { route } from '../route.js';
import { s } from '../schema.js';
import { ASSOCIATION, CHARACTERISTIC, DEVICE_PARAMS, LEVEL, RULE_ID } from '../schemas.js';

/** Allow and block one device of one mailbox, and "a rule for similar devices" (src/actions/device.ts, rules.ts). */
const DEVICE_ACTION = { tag: 'associations', params: DEVICE_PARAMS, body: s.object({}), bodyOptional: true, response: ASSOCIATION } as const;

export const associationActionRoutes = [
  route({
    ...DEVICE_ACTION,
    method: 'POST',
    path: '/associations/{user}/{deviceId}/allow',
    summary: "Allow this device for this mailbox (adds it to the mailbox's allowed device IDs); releases a quarantined device",
    permission: NEEDS.allow,
    handler: ({ action, params }) => allowDevice(action, params.user, params.deviceId),
  }),
  route({
    ...DEVICE_ACTION,
    method: 'POST',
    path: '/associations/{user}/{deviceId}/block',
    summary: "Block this device for this mailbox (adds it to the mailbox's blocked device IDs)",
    permission: NEEDS.block,
    handler: ({ action, params }) => blockDevice(action, params.user, params.deviceId),
  }),
  route({
    method: 'POST',
    path: '/associations/{user}/{deviceId}/rule',
    tag: 'associations',
    summary: "Create a rule for similar devices: the device's model (else type), or the characteristic given",
    permission: NEEDS.ruleFromDevice,
    params: DEVICE_PARAMS,
    body: s.object({ accessLevel: LEVEL, characteristic: s.optional(CHARACTERISTIC), id: s.optional(RULE_ID) }),
    status: 201,
    response: s.any('The rule created'),
    handler: ({ action, params, body }) => ruleFromDevice(action, params.user, params.deviceId, body),
  }),
];

import type { Association } from '../../policy/index.js';
import { ApiError, invalid } from '../errors.js';
import { route, type ApiContext } from '../route.js';
import { s } from '../schema.js';
import { ASSOCIATION, DEVICE_PARAMS } from '../schemas.js';
import { associationObject, requireAssociation } from './common.js';

/**
 * Remote wipe, ordered here and delivered by the gateway itself on the device's next
 * request (src/proxy/wipe.ts): Clear-MobileDevice [-AccountOnly]. AccountOnlyRemoteWipe
 * exists only in EAS 16.1 ([MS-ASPROV] 2.2.2.1); an older device gets a full wipe only if
 * the admin asks for it (fallbackToFull), else a clear refusal.
 */
type Params = { user: string; deviceId: string };
type WipeBody = { accountOnly?: boolean; fallbackToFull?: boolean };

const WIPE_FIELDS = ['wipeStatus', 'wipeAccountOnly', 'wipeRequestedAt', 'wipeRequestedBy', 'wipeSentAt', 'wipeAckAt'] as const;

function wipeView(a: Association): Record<string, unknown> {
  return Object.fromEntries(WIPE_FIELDS.filter((f) => a[f] !== undefined).map((f) => [f, a[f]]));
}

async function orderWipe(ctx: ApiContext<Params, unknown, WipeBody | undefined>): Promise<unknown> {
  const { store, params, body } = ctx;
  const a = await requireAssociation(store, ctx.normalizeUser(params.user), params.deviceId);
  if (a.wipeStatus === 'WipeSent' || a.wipeStatus === 'WipeSucceeded') {
    throw new ApiError('EASGATE_ERR_API_CONFLICT', `the wipe directive was already sent to this device (${a.wipeStatus}); remove the association to start over`);
  }
  let accountOnly = body?.accountOnly === true;
  if (accountOnly && a.protocolVersion !== '16.1') {
    if (body?.fallbackToFull !== true) {
      throw invalid('accountOnly', `a device on EAS 16.1 (this one speaks ${a.protocolVersion ?? 'an unknown version'}); ask for a full wipe, or set fallbackToFull`);
    }
    accountOnly = false;
  }
  const now = ctx.now();
  await store.updateAssociation(a.user, a.deviceId, {
    wipeStatus: 'WipePending',
    wipeAccountOnly: accountOnly,
    wipeRequestedAt: now,
    wipeRequestedBy: ctx.actor.name,
    wipeSentAt: null,
    wipeAckAt: null,
  });
  const after = await requireAssociation(store, a.user, a.deviceId);
  ctx.audit({ action: 'association.wipe', object: associationObject(a), before: wipeView(a), after: wipeView(after) });
  return after;
}

async function cancelWipe(ctx: ApiContext<Params, unknown, unknown>): Promise<unknown> {
  const { store, params } = ctx;
  const a = await requireAssociation(store, ctx.normalizeUser(params.user), params.deviceId);
  if (a.wipeStatus !== undefined && a.wipeStatus !== 'WipePending') {
    throw new ApiError('EASGATE_ERR_API_CONFLICT', `the wipe can no longer be cancelled: ${a.wipeStatus}`);
  }
  // Nothing pending: nothing to undo, but the attempt is still audited.
  if (a.wipeStatus === 'WipePending') await store.updateAssociation(a.user, a.deviceId, { wipeStatus: null, wipeAccountOnly: null, wipeRequestedAt: null, wipeRequestedBy: null });
  const after = await requireAssociation(store, a.user, a.deviceId);
  ctx.audit({ action: 'association.cancel-wipe', object: associationObject(a), before: wipeView(a), after: wipeView(after) });
  return after;
}

const WIPE_BODY = s.object({ accountOnly: s.optional(s.bool()), fallbackToFull: s.optional(s.bool()) });

export const wipeRoutes = [
  route({
    method: 'POST',
    path: '/associations/{user}/{deviceId}/wipe',
    tag: 'associations',
    summary: 'Order a remote wipe (accountOnly: AccountOnlyRemoteWipe, EAS 16.1 only); the gateway delivers it on the device\'s next request',
    permission: 'wipe',
    params: DEVICE_PARAMS,
    body: WIPE_BODY,
    bodyOptional: true,
    response: ASSOCIATION,
    handler: orderWipe,
  }),
  route({
    method: 'POST',
    path: '/associations/{user}/{deviceId}/cancel-wipe',
    tag: 'associations',
    summary: 'Cancel a wipe that has not been sent to the device yet (no wipe pending: nothing changes; sent already: 409)',
    permission: 'wipe',
    params: DEVICE_PARAMS,
    body: s.object({}),
    bodyOptional: true,
    response: ASSOCIATION,
    handler: cancelWipe,
  }),
];

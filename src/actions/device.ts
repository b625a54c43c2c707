import type { Association } from '../policy/index.js';
import { associationObject, findAssociation, requireAssociation, type ActionContext } from './context.js';
import { licenseRefused } from './errors.js';
import { hasId, listIds, refuseFullLists, updateMailbox } from './mailbox-write.js';

/**
 * Operations on one association: allow and block (its mailbox's allowed or blocked device-ID
 * list, as Set-CASMailbox does; the other list loses it; a quarantined device is released by
 * allowing it), comment, remove, and the link to a management-backend device record.
 */
export async function listDevice(ctx: ActionContext, a: Association, level: 'Allow' | 'Block'): Promise<Association> {
  const { before } = await writeList(ctx, a, level);
  const state = level === 'Allow' ? 'Allowed' : 'Blocked';
  await ctx.store.setAccessState(a.user, a.deviceId, { state, reason: 'Individual', at: ctx.now(), actor: ctx.actor, ...(ctx.reason === undefined ? {} : { note: ctx.reason }) });
  const listed = (ids: readonly string[] | undefined): boolean => hasId(ids ?? [], a.deviceId);
  ctx.audit({
    action: level === 'Allow' ? 'association.allow' : 'association.block',
    object: associationObject(a),
    before: { accessState: a.accessState, accessReason: a.accessReason, allowed: listed(before?.allowedDeviceIds), blocked: listed(before?.blockedDeviceIds) },
    after: { accessState: state, accessReason: 'Individual', allowed: level === 'Allow', blocked: level === 'Block' },
  });
  return requireAssociation(ctx.store, a.user, a.deviceId);
}

async function writeList(ctx: ActionContext, a: Association, level: 'Allow' | 'Block'): Promise<{ before: { allowedDeviceIds: string[]; blockedDeviceIds: string[] } | undefined }> {
  const { before, write } = await updateMailbox(ctx.store, a.user, (m) => {
    const next = listIds(m, level, [a.deviceId]);
    refuseFullLists(next, 'deviceId');
    return next;
  });
  if (write.status === 'license-limit') throw licenseRefused(a.user);
  return { before };
}

export async function allowDevice(ctx: ActionContext, user: string, deviceId: string): Promise<Association> {
  return listDevice(ctx, await findAssociation(ctx, user, deviceId), 'Allow');
}

export async function blockDevice(ctx: ActionContext, user: string, deviceId: string): Promise<Association> {
  return listDevice(ctx, await findAssociation(ctx, user, deviceId), 'Block');
}

/** Sets the comment ('' removes it). */
export async function commentDevice(ctx: ActionContext, user: string, deviceId: string, text: string): Promise<Association> {
  const a = await findAssociation(ctx, user, deviceId);
  const comment = text === '' ? null : text;
  await ctx.store.updateAssociation(a.user, a.deviceId, { comment });
  ctx.audit({ action: 'association.comment', object: associationObject(a), before: { comment: a.comment ?? null }, after: { comment } });
  return requireAssociation(ctx.store, a.user, a.deviceId);
}

/** Removes the partnership (a returning device starts over as new). */
export async function removeDevice(ctx: ActionContext, user: string, deviceId: string): Promise<void> {
  const a = await findAssociation(ctx, user, deviceId);
  if (await ctx.store.deleteAssociation(a.user, a.deviceId)) ctx.audit({ action: 'association.delete', object: associationObject(a), before: a });
}

export async function linkDevice(ctx: ActionContext, user: string, deviceId: string, backendDeviceId: string): Promise<Association> {
  const a = await findAssociation(ctx, user, deviceId);
  await ctx.store.updateAssociation(a.user, a.deviceId, { backendDeviceId, linkedAt: ctx.now() });
  ctx.audit({ action: 'association.link', object: associationObject(a), before: { backendDeviceId: a.backendDeviceId ?? null }, after: { backendDeviceId } });
  return requireAssociation(ctx.store, a.user, a.deviceId);
}

export async function unlinkDevice(ctx: ActionContext, user: string, deviceId: string): Promise<Association> {
  const a = await findAssociation(ctx, user, deviceId);
  await ctx.store.updateAssociation(a.user, a.deviceId, { backendDeviceId: null, linkedAt: null });
  ctx.audit({ action: 'association.unlink', object: associationObject(a), before: { backendDeviceId: a.backendDeviceId ?? null }, after: { backendDeviceId: null } });
  return requireAssociation(ctx.store, a.user, a.deviceId);
}

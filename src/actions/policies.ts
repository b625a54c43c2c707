import { compileEasPolicy, parseEasPolicy, PolicyError, type Association, type EasPolicy } from '../policy/index.js';
import { associationObject, findAssociation, type ActionContext } from './context.js';
import { AdminError, conflict, invalid, notFound } from './errors.js';

/**
 * Gateway ActiveSync policies (src/policy/eas-policy): created, replaced and deleted by an
 * admin; assigned to a device (most specific, before its mailbox's, its domain's and the
 * organisation's) and reverted by the help desk. A device reached by a change provisions
 * again at its next request (the policy's revision changed).
 */

/** Validates an admin's policy document (the name from the path); a bad field is a 400 naming it. */
export function policyFrom(name: string, body: unknown): EasPolicy {
  try {
    return parseEasPolicy({ ...(typeof body === 'object' && body !== null ? body : {}), name }, 'policy');
  } catch (err) {
    if (err instanceof PolicyError) throw new AdminError('EASGATE_ERR_API_INVALID', err.message, err.path ?? 'policy');
    throw err;
  }
}

export async function putPolicy(ctx: ActionContext, policy: EasPolicy): Promise<EasPolicy & { revision: string }> {
  const held = await ctx.store.getEasPolicy(policy.name);
  await ctx.store.putEasPolicy(policy);
  ctx.audit({ action: held === undefined ? 'policy.create' : 'policy.put', object: `policy:${policy.name}`, before: held ?? null, after: policy });
  return { ...policy, revision: compileEasPolicy(policy).revision };
}

/** Where a policy is assigned: the organisation, domains and mailboxes (devices fall back to the next level when theirs is gone). */
export async function policyUse(ctx: ActionContext, name: string): Promise<string[]> {
  const uses: string[] = [];
  if ((await ctx.store.getOrganization()).policy === name) uses.push('organization');
  for (const d of await ctx.store.listDomains()) if (d.policy === name) uses.push(`domain ${d.name}`);
  let cursor: string | undefined;
  do {
    const page = await ctx.store.listMailboxes({ limit: 500, ...(cursor !== undefined ? { cursor } : {}) });
    for (const m of page.items) if (m.policy === name) uses.push(`mailbox ${m.user}`);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined && uses.length < 20);
  return uses;
}

/** Deletes a policy; 409 while the organisation, a domain or a mailbox names it. */
export async function deletePolicy(ctx: ActionContext, name: string): Promise<void> {
  const held = await ctx.store.getEasPolicy(name);
  if (held === undefined) throw notFound('policy');
  const uses = await policyUse(ctx, name);
  if (uses.length > 0) throw conflict(`policy ${name} is in use (${uses.slice(0, 5).join(', ')}${uses.length > 5 ? ', …' : ''}): assign another first`);
  await ctx.store.deleteEasPolicy(name);
  ctx.audit({ action: 'policy.delete', object: `policy:${name}`, before: held });
}

/** 400 unless `name` (when one is given) names an existing policy. */
export async function requirePolicy(ctx: ActionContext, name: string | null | undefined): Promise<void> {
  if (typeof name === 'string' && (await ctx.store.getEasPolicy(name)) === undefined) throw invalid('policy', `an existing policy (no policy ${name})`);
}

/** Assigns a policy to one device (before its mailbox's, domain's and the organisation's). */
export async function assignPolicy(ctx: ActionContext, user: string, deviceId: string, name: string): Promise<Association> {
  if ((await ctx.store.getEasPolicy(name)) === undefined) throw invalid('name', `an existing policy (no policy ${name})`);
  const a = await findAssociation(ctx, user, deviceId);
  await ctx.store.updateAssociation(a.user, a.deviceId, { policyAssigned: name });
  ctx.audit({ action: 'association.policy.assign', object: associationObject(a), before: { policyAssigned: a.policyAssigned ?? null }, after: { policyAssigned: name } });
  return { ...a, policyAssigned: name };
}

/** Reverts a device's own policy: it returns to its mailbox's, domain's or the organisation's (or the upstream's); 409 when it has none. */
export async function revertPolicy(ctx: ActionContext, user: string, deviceId: string): Promise<Association> {
  const a = await findAssociation(ctx, user, deviceId);
  if (a.policyAssigned === undefined) throw conflict('the device has no policy of its own to revert (its mailbox\'s, domain\'s or the organisation\'s applies)');
  await ctx.store.updateAssociation(a.user, a.deviceId, { policyAssigned: null });
  ctx.audit({ action: 'association.policy.revert', object: associationObject(a), before: { policyAssigned: a.policyAssigned }, after: { policyAssigned: null } });
  const { policyAssigned: _gone, ...rest } = a;
  return rest;
}

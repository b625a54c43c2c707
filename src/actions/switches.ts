import { defaultOrganizationSettings, licenseEndMs, type AccessLevel, type Domain, type OrganizationSettings, type SystemSettings } from '../policy/index.js';
import { requirePolicy } from './policies.js';
import type { ActionContext } from './context.js';
import { invalid, notFound } from './errors.js';

/** The system switch and the license, the organisation settings, and the domain switches. */
export interface SystemChange {
  activeSyncEnabled?: boolean | undefined;
  /** null removes the limit. */
  license?: { total: number; expiresAt?: string | undefined } | null | undefined;
}

export async function changeSystem(ctx: ActionContext, change: SystemChange): Promise<SystemSettings> {
  const held = await ctx.store.getSystem();
  const next: SystemSettings = { ...held };
  if (change.activeSyncEnabled !== undefined) next.activeSyncEnabled = change.activeSyncEnabled;
  if (change.license === null) delete next.license;
  else if (change.license !== undefined) {
    const { total, expiresAt } = change.license;
    if (expiresAt !== undefined && Number.isNaN(licenseEndMs({ total: 0, expiresAt }))) throw invalid('license.expiresAt', 'a real date (YYYY-MM-DD) or ISO 8601 time');
    next.license = expiresAt === undefined ? { total } : { total, expiresAt };
  }
  await ctx.store.putSystem(next);
  ctx.audit({ action: 'settings.system', object: 'settings:system', before: held, after: next });
  return next;
}

export async function changeOrganization(ctx: ActionContext, change: Partial<Omit<OrganizationSettings, 'policy'>> & { policy?: string | null | undefined }): Promise<OrganizationSettings> {
  await requirePolicy(ctx, change.policy);
  const held = { ...defaultOrganizationSettings(), ...(await ctx.store.getOrganization()) };
  const { policy, ...rest } = change;
  const next: OrganizationSettings = { ...held, ...rest };
  if (policy === null) delete next.policy;
  else if (policy !== undefined) next.policy = policy;
  await ctx.store.putOrganization(next);
  ctx.audit({ action: 'settings.organization', object: 'settings:organization', before: held, after: next });
  return next;
}

export async function changeDomain(
  ctx: ActionContext,
  domain: string,
  change: { activeSyncEnabled?: boolean | undefined; defaultAccessLevel?: AccessLevel | null | undefined; policy?: string | null | undefined },
): Promise<Domain> {
  await requirePolicy(ctx, change.policy);
  const name = domain.toLowerCase();
  const held = await ctx.store.getDomain(name);
  const next: Domain = { ...(held ?? { name, activeSyncEnabled: true }) };
  if (change.activeSyncEnabled !== undefined) next.activeSyncEnabled = change.activeSyncEnabled;
  if (change.defaultAccessLevel === null) delete next.defaultAccessLevel;
  else if (change.defaultAccessLevel !== undefined) next.defaultAccessLevel = change.defaultAccessLevel;
  if (change.policy === null) delete next.policy;
  else if (change.policy !== undefined) next.policy = change.policy;
  await ctx.store.putDomain(next);
  ctx.audit({ action: 'domain.put', object: `domain:${name}`, before: held ?? null, after: next });
  return next;
}

export async function deleteDomain(ctx: ActionContext, domain: string): Promise<void> {
  const name = domain.toLowerCase();
  const held = await ctx.store.getDomain(name);
  if (held === undefined || !(await ctx.store.deleteDomain(name))) throw notFound('domain');
  ctx.audit({ action: 'domain.delete', object: `domain:${name}`, before: held });
}

import { changeOrganization, changeSystem, iso, NEEDS } from '../../actions/index.js';
import { defaultOrganizationSettings, licenseEndMs, licenseStatus } from '../../policy/index.js';
import { route } from '../route.js';
import { s } from '../schema.js';
import { LEVEL, MAIL_PATTERN, TIME, POLICY_NAME } from '../schemas.js';

/** System settings (ActiveSync on/off, license), the license's state, organisation settings. */
const SYSTEM = s.any('{ activeSyncEnabled, license?: { total, expiresAt? } }');
const ORGANIZATION = s.any('{ defaultAccessLevel, unregisteredAccessLevel, adminMailRecipients, userMailInsert, policy? }');
const LICENSE = s.any('{ total (null: no limit), inUse, available, expiresAt, daysRemaining, expired, overLimit, full, message }');

export const settingsRoutes = [
  route({
    method: 'GET',
    path: '/settings/system',
    tag: 'settings',
    summary: 'ActiveSync on or off for everyone, and the license',
    permission: 'read',
    response: SYSTEM,
    handler: ({ store }) => store.getSystem(),
  }),
  route({
    method: 'PUT',
    path: '/settings/system',
    tag: 'settings',
    summary: 'Change the system settings (fields left out keep their value; license null removes the limit)',
    permission: NEEDS.system,
    body: s.object({
      activeSyncEnabled: s.optional(s.bool()),
      license: s.optional(s.nullable(s.object({ total: s.int(0, 100_000_000), expiresAt: s.optional(TIME) }))),
    }),
    response: SYSTEM,
    handler: ({ action, body }) => changeSystem(action, body),
  }),
  route({
    method: 'GET',
    path: '/license',
    tag: 'settings',
    summary: 'License total, users in use, days remaining, and the over-the-limit message when it applies',
    permission: 'read',
    response: LICENSE,
    handler: async ({ store, now }) => {
      const [system, inUse] = await Promise.all([store.getSystem(), store.countEnabledMailboxes()]);
      const st = licenseStatus(system.license, inUse, now());
      const total = Number.isFinite(st.total) ? st.total : null;
      const end = licenseEndMs(system.license);
      let message: string | null = null;
      if (st.expired) message = `The license expired on ${iso(end - 1).slice(0, 10)}: ActiveSync is refused for every user until it is renewed.`;
      else if (st.overLimit) {
        message = `${inUse} users have ActiveSync enabled but the license allows ${total}: ActiveSync is refused for every user until ${inUse - st.total} of them are disabled or the license is extended.`;
      }
      return {
        total,
        inUse,
        available: total === null ? null : Math.max(0, total - inUse),
        expiresAt: system.license?.expiresAt ?? null,
        daysRemaining: st.daysRemaining ?? null,
        expired: st.expired,
        overLimit: st.overLimit,
        full: st.full,
        message,
      };
    },
  }),
  route({
    method: 'GET',
    path: '/settings/organization',
    tag: 'settings',
    summary: 'Default access level, admin mail recipients, text added to user mail',
    permission: 'read',
    response: ORGANIZATION,
    handler: async ({ store }) => ({ ...defaultOrganizationSettings(), ...(await store.getOrganization()) }),
  }),
  route({
    method: 'PUT',
    path: '/settings/organization',
    tag: 'settings',
    summary: 'Change the organisation settings (fields left out keep their value)',
    permission: NEEDS.organization,
    body: s.object({
      defaultAccessLevel: s.optional(LEVEL),
      unregisteredAccessLevel: s.optional(LEVEL),
      adminMailRecipients: s.optional(s.array(s.string({ min: 3, max: 254, pattern: MAIL_PATTERN }), 100)),
      userMailInsert: s.optional(s.string({ max: 4000, multiline: true })),
      policy: s.optional(s.nullable(POLICY_NAME)),
    }),
    response: ORGANIZATION,
    handler: ({ action, body }) => changeOrganization(action, body),
  }),
];

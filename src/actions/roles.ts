/**
 * Roles and permissions of the admin operations. A token has one role; each operation needs
 * one permission: read; act on devices (allow, block, comment, link, a rule from a device);
 * wipe; administer (settings, mailboxes, domains, rules, bulk actions, removal, tokens).
 */
export const ROLES = ['viewer', 'helpdesk', 'wiper', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = ['read', 'act', 'wipe', 'admin'] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const GRANTS: { readonly [R in Role]: ReadonlySet<Permission> } = {
  viewer: new Set(['read']),
  helpdesk: new Set(['read', 'act']),
  wiper: new Set(['read', 'wipe']),
  admin: new Set(['read', 'act', 'wipe', 'admin']),
};

/** The permission each admin operation needs (the routes declare the same). */
export const NEEDS = {
  allow: 'act',
  block: 'act',
  comment: 'act',
  link: 'act',
  unlink: 'act',
  ruleFromDevice: 'act',
  wipe: 'wipe',
  cancelWipe: 'wipe',
  remove: 'admin',
  mailbox: 'admin',
  mailboxBulk: 'admin',
  system: 'admin',
  organization: 'admin',
  domain: 'admin',
  grandfather: 'admin',
  purge: 'admin',
  policy: 'admin',
  assignPolicy: 'act',
} as const satisfies Record<string, Permission>;

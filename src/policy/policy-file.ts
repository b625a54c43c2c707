import { readFile } from 'node:fs/promises';
import { PolicyError } from './errors.js';
import {
  ACCESS_LEVELS,
  CHARACTERISTICS,
  DEVICE_ID_LEVELS,
  deviceKey,
  type DeviceAccessRule,
  type DeviceIdEntry,
  type Domain,
  type Mailbox,
  type OrganizationSettings,
  type SystemSettings,
} from './model.js';
import { arrayOf, bool, dateString, fail, int, object, oneOf, opt, req, str, unique, type Check } from './validate.js';
import { parseEasPolicy, POLICY_NAME, type EasPolicy } from './eas-policy/index.js';

/**
 * The declarative policy file (EASGATE_POLICY_FILE, docs/policy-file.md): JSON with the
 * admin API's field names, validated field by field (unknown fields refused), applied at
 * start as an idempotent upsert. Listed objects are written whole; objects the file does
 * not list are left alone.
 */
export interface PolicyDocument {
  system?: SystemSettings;
  organization?: OrganizationSettings;
  domains: Domain[];
  rules: DeviceAccessRule[];
  mailboxes: Mailbox[];
  deviceIds: DeviceIdEntry[];
  /** Gateway ActiveSync policies (src/policy/eas-policy), assigned by name with `policy`. */
  policies: EasPolicy[];
}

const policyName = str({ min: 1, max: 64, pattern: POLICY_NAME, what: 'a policy name' });
const easPolicy: Check<EasPolicy> = (v, path) => parseEasPolicy(v, path);

const level = oneOf(ACCESS_LEVELS);
const LIST = 100_000;
const MAIL = /^[^\s@\\]+@[^\s@\\]+$/;

const schema = object({
  system: opt(
    object({
      activeSyncEnabled: req(bool),
      license: opt(object({ total: req(int(0, 100_000_000)), expiresAt: opt(dateString) })),
    }),
  ),
  organization: opt(
    object({
      defaultAccessLevel: opt(level),
      unregisteredAccessLevel: opt(level),
      adminMailRecipients: opt(arrayOf(str({ max: 254, pattern: MAIL, what: 'a mail address' }), 100)),
      userMailInsert: opt(str({ max: 4000, multiline: true })),
      policy: opt(policyName),
    }),
  ),
  domains: opt(
    arrayOf(
      object({
        name: req(str({ min: 1, max: 253, pattern: /^[A-Za-z0-9.-]+$/, what: 'a domain name' })),
        activeSyncEnabled: opt(bool),
        defaultAccessLevel: opt(level),
        policy: opt(policyName),
      }),
      LIST,
    ),
  ),
  rules: opt(
    arrayOf(
      object({
        id: req(str({ min: 1, max: 128, pattern: /^[A-Za-z0-9._-]+$/, what: 'an id of letters, digits, . _ -' })),
        characteristic: req(oneOf(CHARACTERISTICS)),
        queryString: req(str({ min: 1, max: 256 })),
        accessLevel: req(level),
      }),
      LIST,
    ),
  ),
  mailboxes: opt(
    arrayOf(
      object({
        user: req(str({ min: 1, max: 320 })),
        activeSyncEnabled: opt(bool),
        allowedDeviceIds: opt(arrayOf(str({ min: 1, max: 510 }), 1000)),
        blockedDeviceIds: opt(arrayOf(str({ min: 1, max: 510 }), 1000)),
        defaultAccessLevel: opt(level),
        policy: opt(policyName),
      }),
      LIST,
    ),
  ),
  deviceIds: opt(
    arrayOf(
      object({ deviceId: req(str({ min: 1, max: 510 })), accessLevel: req(oneOf(DEVICE_ID_LEVELS)), note: opt(str({ max: 1000 })) }),
      LIST,
    ),
  ),
  policies: opt(arrayOf(easPolicy, 1000)),
});

function without<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

/**
 * Validates a parsed policy document and fills the defaults. `normalizeUser` names the
 * mailboxes' users as the gateway does (default: trimmed and lower-cased).
 */
export function parsePolicyDocument(json: unknown, normalizeUser: (raw: string) => string = (u) => u.trim().toLowerCase()): PolicyDocument {
  const raw = schema(json, '');
  const doc: PolicyDocument = {
    domains: (raw.domains ?? []).map((d) =>
      without({ name: d.name.toLowerCase(), activeSyncEnabled: d.activeSyncEnabled ?? true, defaultAccessLevel: d.defaultAccessLevel, policy: d.policy }),
    ),
    rules: raw.rules ?? [],
    mailboxes: (raw.mailboxes ?? []).map((m) =>
      without({
        user: normalizeUser(m.user),
        activeSyncEnabled: m.activeSyncEnabled ?? true,
        allowedDeviceIds: m.allowedDeviceIds ?? [],
        blockedDeviceIds: m.blockedDeviceIds ?? [],
        defaultAccessLevel: m.defaultAccessLevel,
        policy: m.policy,
      }),
    ),
    deviceIds: (raw.deviceIds ?? []).map((e) => without({ ...e })),
    policies: raw.policies ?? [],
  };
  if (raw.system !== undefined) doc.system = without({ activeSyncEnabled: raw.system.activeSyncEnabled, license: raw.system.license && without({ ...raw.system.license }) });
  if (raw.organization !== undefined) {
    doc.organization = {
      defaultAccessLevel: raw.organization.defaultAccessLevel ?? 'Allow',
      unregisteredAccessLevel: raw.organization.unregisteredAccessLevel ?? 'Allow',
      adminMailRecipients: raw.organization.adminMailRecipients ?? [],
      userMailInsert: raw.organization.userMailInsert ?? '',
      ...(raw.organization.policy !== undefined ? { policy: raw.organization.policy } : {}),
    };
  }
  unique(doc.domains, 'domains', 'name', (d) => d.name);
  unique(doc.rules, 'rules', 'id', (r) => r.id);
  unique(doc.rules, 'rules', 'queryString', (r) => `${r.characteristic}\u0000${r.queryString}`);
  unique(doc.mailboxes, 'mailboxes', 'user', (m) => m.user);
  unique(doc.deviceIds, 'deviceIds', 'deviceId', (e) => deviceKey(e.deviceId));
  unique(doc.policies, 'policies', 'name', (p) => p.name);
  // A policy assigned in the file must be declared in it (or be in the store already: checked when applied).
  const assigned: [string, string | undefined][] = [
    ['organization.policy', doc.organization?.policy],
    ...doc.domains.map((d, i): [string, string | undefined] => [`domains[${i}].policy`, d.policy]),
    ...doc.mailboxes.map((m, i): [string, string | undefined] => [`mailboxes[${i}].policy`, m.policy]),
  ];
  const declared = new Set(doc.policies.map((p) => p.name));
  for (const [path, name] of assigned) if (name !== undefined && declared.size > 0 && !declared.has(name)) fail(path, `a policy of the file's policies (${[...declared].join(', ')}), not ${name}`);
  doc.mailboxes.forEach((m, i) => {
    if (!MAIL.test(m.user)) fail(`mailboxes[${i}].user`, 'a mail address (user@domain), or DOMAIN\\user with a mapped NetBIOS name');
    const both = m.allowedDeviceIds.find((id) => m.blockedDeviceIds.some((b) => deviceKey(b) === deviceKey(id)));
    if (both !== undefined) fail(`mailboxes[${i}].blockedDeviceIds`, `no device ID that is also allowed (${both})`);
  });
  return doc;
}

/** Reads and validates the file; a PolicyError names the file and the bad field. */
export async function loadPolicyFile(path: string, normalizeUser?: (raw: string) => string): Promise<PolicyDocument> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new PolicyError('EASGATE_ERR_POLICY_FILE_UNREADABLE', `${path}: ${why}`, { cause: err });
  }
  try {
    return parsePolicyDocument(json, normalizeUser);
  } catch (err) {
    if (err instanceof PolicyError) throw new PolicyError(err.code, `${path}: ${err.message}`, { ...(err.path === undefined ? {} : { path: err.path }), cause: err });
    throw err;
  }
}

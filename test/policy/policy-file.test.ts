import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUserNormalizer, loadPolicyFile, parsePolicyDocument, PolicyError } from '../../src/policy/index.js';
import { example } from './example-policy.js';

function bad(mutate: (doc: any) => void): string {
  const doc = example() as any;
  mutate(doc);
  try {
    parsePolicyDocument(doc);
  } catch (err) {
    expect(err).toBeInstanceOf(PolicyError);
    expect((err as PolicyError).code).toBe('EASGATE_ERR_POLICY_FILE_INVALID');
    return (err as PolicyError).message;
  }
  throw new Error('accepted a bad document');
}

describe('policy file: validation', () => {
  it('accepts the example of the issue and fills the defaults', () => {
    const doc = parsePolicyDocument({ ...example(), domains: [{ name: 'Other.TEST' }], mailboxes: [{ user: 'Bob@Example.test' }] });
    expect(doc.system).toEqual({ activeSyncEnabled: true, license: { total: 500, expiresAt: '2027-12-31' } });
    expect(doc.domains).toEqual([{ name: 'other.test', activeSyncEnabled: true }]);
    expect(doc.mailboxes).toEqual([{ user: 'bob@example.test', activeSyncEnabled: true, allowedDeviceIds: [], blockedDeviceIds: [] }]);
    expect(doc.deviceIds).toEqual([{ deviceId: 'LOANER01', accessLevel: 'Allow', note: 'loaner iPad' }]);
    expect(parsePolicyDocument({})).toEqual({ domains: [], rules: [], mailboxes: [], deviceIds: [], policies: [] });
  });

  it('declares gateway ActiveSync policies and assigns them to the organisation, domains and mailboxes', () => {
    const doc = parsePolicyDocument({
      policies: [{ name: 'Strict', settings: { DevicePasswordEnabled: true, MinDevicePasswordLength: 6 } }],
      organization: { policy: 'Strict' },
      domains: [{ name: 'example.test', policy: 'Strict' }],
      mailboxes: [{ user: 'ceo@example.test', policy: 'Strict' }],
    });
    expect(doc.policies).toEqual([{ name: 'Strict', settings: { DevicePasswordEnabled: true, MinDevicePasswordLength: 6 }, allowNonProvisionableDevices: false, refreshIntervalSeconds: 0 }]);
    expect([doc.organization?.policy, doc.domains[0]?.policy, doc.mailboxes[0]?.policy]).toEqual(['Strict', 'Strict', 'Strict']);
    expect(() => parsePolicyDocument({ policies: [{ name: 'Strict' }], domains: [{ name: 'example.test', policy: 'Strcit' }] })).toThrow("domains[0].policy: expected a policy of the file's policies (Strict), not Strcit");
    expect(() => parsePolicyDocument({ policies: [{ name: 'P', settings: { MinDevicePasswordLength: 40 } }] })).toThrow('policies[0].settings.MinDevicePasswordLength: expected an integer from 1 to 16');
    expect(() => parsePolicyDocument({ policies: [{ name: 'P' }, { name: 'P' }] })).toThrow('policies[1].name: expected a value not used before');
  });

  it('names users through the NetBIOS map when given a normaliser', () => {
    const n = createUserNormalizer({ netbiosDomains: { EXAMPLE: 'example.test' } });
    const doc = parsePolicyDocument({ mailboxes: [{ user: 'EXAMPLE\\Alice' }] }, n);
    expect(doc.mailboxes[0]?.user).toBe('alice@example.test');
  });

  it.each([
    ['a bad access level', (d: any) => d.rules.push({}, { id: 'b', characteristic: 'DeviceType', queryString: 'x', accessLevel: 'Deny' }), 'rules[1].id: expected a value'],
    ['a bad access level at index 2', (d: any) => d.rules.push({ id: 'b', characteristic: 'DeviceType', queryString: 'x', accessLevel: 'Allow' }, { id: 'c', characteristic: 'DeviceType', queryString: 'y', accessLevel: 'Deny' }), 'rules[2].accessLevel: expected Allow|Block|Quarantine'],
    ['an unknown top-level field', (d: any) => (d.rule = []), 'rule: expected no such field'],
    ['an unknown nested field', (d: any) => (d.system.licence = {}), 'system.licence: expected no such field'],
    ['a wrong type', (d: any) => (d.system.activeSyncEnabled = 'yes'), 'system.activeSyncEnabled: expected true or false, not string'],
    ['a negative license', (d: any) => (d.system.license.total = -1), 'system.license.total: expected an integer from 0'],
    ['an impossible date', (d: any) => (d.system.license.expiresAt = '2027-02-30'), 'system.license.expiresAt: expected a date'],
    ['an unknown characteristic', (d: any) => (d.rules[0].characteristic = 'XMSWLHeader'), 'rules[0].characteristic: expected UserAgent|DeviceOS|DeviceModel|DeviceType'],
    ['a duplicate rule id', (d: any) => d.rules.push({ ...d.rules[0], queryString: 'iOS 13' }), 'rules[1].id: expected a value not used before (same as rules[0])'],
    ['a duplicate rule condition', (d: any) => d.rules.push({ ...d.rules[0], id: 'x' }), 'rules[1].queryString: expected a value not used before'],
    ['a duplicate device ID by case', (d: any) => d.deviceIds.push({ deviceId: 'loaner01', accessLevel: 'Block' }), 'deviceIds[1].deviceId: expected a value not used before'],
    ['a device-ID list level of Quarantine', (d: any) => (d.deviceIds[0].accessLevel = 'Quarantine'), 'deviceIds[0].accessLevel: expected Allow|Block'],
    ['a user that is no mail address', (d: any) => (d.mailboxes[0].user = 'alice'), 'mailboxes[0].user: expected a mail address'],
    ['a device both allowed and blocked', (d: any) => (d.mailboxes[0].blockedDeviceIds = ['appl123']), 'mailboxes[0].blockedDeviceIds: expected no device ID that is also allowed'],
    ['a control character', (d: any) => (d.rules[0].queryString = 'iOS\u0000'), 'rules[0].queryString: expected a string without control characters'],
    ['an over-long string', (d: any) => (d.rules[0].queryString = 'x'.repeat(257)), 'rules[0].queryString: expected a string of 1–256 characters'],
    ['a bad admin address', (d: any) => (d.organization.adminMailRecipients = ['nobody']), 'organization.adminMailRecipients[0]: expected a mail address'],
    ['a list where an object belongs', (d: any) => (d.system = []), 'system: expected an object, not array'],
  ])('refuses %s, naming the field', (_what, mutate, message) => {
    expect(bad(mutate)).toContain(message);
  });

  it('refuses a document that is not an object', () => {
    expect(() => parsePolicyDocument([])).toThrow('(root): expected an object, not array');
  });
});

describe('policy file: reading', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'easgate-policy-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('reads a good file', async () => {
    const path = join(dir, 'good.json');
    await writeFile(path, JSON.stringify(example()));
    expect((await loadPolicyFile(path)).rules[0]?.id).toBe('block-old-ios');
  });

  it('names the file and the field of a bad one', async () => {
    const path = join(dir, 'bad.json');
    const doc = example() as any;
    doc.rules[0].accessLevel = 'Never';
    await writeFile(path, JSON.stringify(doc));
    await expect(loadPolicyFile(path)).rejects.toMatchObject({
      code: 'EASGATE_ERR_POLICY_FILE_INVALID',
      path: 'rules[0].accessLevel',
      message: `${path}: rules[0].accessLevel: expected Allow|Block|Quarantine`,
    });
  });

  it('refuses a missing file and a file that is not JSON', async () => {
    await expect(loadPolicyFile(join(dir, 'missing.json'))).rejects.toMatchObject({ code: 'EASGATE_ERR_POLICY_FILE_UNREADABLE' });
    const path = join(dir, 'broken.json');
    await writeFile(path, '{ "rules": [ }');
    await expect(loadPolicyFile(path)).rejects.toMatchObject({ code: 'EASGATE_ERR_POLICY_FILE_UNREADABLE' });
  });
});

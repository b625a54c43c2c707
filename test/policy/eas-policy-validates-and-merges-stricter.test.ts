import { describe, expect, it } from 'vitest';
import { choosePolicy, compileEasPolicy, effectiveSettings, EAS_POLICY_SETTINGS, parseEasPolicy, SETTING_BY_NAME, stricterOf, stricterValue } from '../../src/policy/eas-policy/index.js';
import { pageByNs } from '../../src/wbxml/index.js';

describe('the EASProvisionDoc settings table', () => {
  it('has every setting of code page 14 once, in token order (the order the document is written in)', () => {
    const page = pageByNs('Provision')!;
    const notSettings = new Set(['Provision', 'Policies', 'Policy', 'PolicyType', 'PolicyKey', 'Data', 'Status', 'RemoteWipe', 'EASProvisionDoc', 'DocumentBrowseEnabled', 'ApplicationName', 'Hash', 'AccountOnlyRemoteWipe']);
    const tokens = [...page.tokens.entries()].filter(([name]) => !notSettings.has(name)).sort((a, b) => a[1] - b[1]).map(([name]) => name);
    expect(EAS_POLICY_SETTINGS.map((s) => s.name)).toEqual(tokens);
  });
});

describe('a policy is validated against each setting’s type and range', () => {
  it('keeps what it sets and fills the rest with the defaults', () => {
    const p = parseEasPolicy({ name: 'Strict-1', settings: { DevicePasswordEnabled: true, MinDevicePasswordLength: 6, MaxEmailAgeFilter: 3, UnapprovedInROMApplicationList: ['solitaire.exe', 'solitaire.exe'] } });
    expect(p).toEqual({ name: 'Strict-1', settings: { DevicePasswordEnabled: true, MinDevicePasswordLength: 6, MaxEmailAgeFilter: 3, UnapprovedInROMApplicationList: ['solitaire.exe'] }, allowNonProvisionableDevices: false, refreshIntervalSeconds: 0 });
    const all = effectiveSettings(p.settings);
    expect(all.size).toBe(EAS_POLICY_SETTINGS.length);
    expect(all.get('MinDevicePasswordLength')).toBe(6);
    expect(all.get('AllowCamera')).toBe(true);
    expect(all.get('MaxAttachmentSize')).toBeNull();
  });

  it.each([
    [{ name: 'p', settings: { MinDevicePasswordLength: 17 } }, 'policy.settings.MinDevicePasswordLength: expected an integer from 1 to 16'],
    [{ name: 'p', settings: { MaxDevicePasswordFailedAttempts: 3 } }, 'policy.settings.MaxDevicePasswordFailedAttempts: expected an integer from 4 to 16'],
    [{ name: 'p', settings: { AllowCamera: 'no' } }, 'policy.settings.AllowCamera: expected true or false, not string'],
    [{ name: 'p', settings: { MaxEmailAgeFilter: 6 } }, 'policy.settings.MaxEmailAgeFilter: expected one of 0, 1, 2, 3, 4, 5'],
    [{ name: 'p', settings: { MaxCalendarAgeFilter: 2 } }, 'policy.settings.MaxCalendarAgeFilter: expected one of 0, 4, 5, 6, 7'],
    [{ name: 'p', settings: { ApprovedApplicationList: ['abc'] } }, 'policy.settings.ApprovedApplicationList[0]: expected a SHA-1 hash as 40 hex digits'],
    [{ name: 'p', settings: { MinDevicePasswordLenght: 4 } }, 'policy.settings.MinDevicePasswordLenght: not a setting of EASProvisionDoc (did you mean MinDevicePasswordLength?)'],
    [{ name: 'has space' }, 'policy.name: expected a name of letters'],
    [{ name: 'p', refreshIntervalSeconds: -1 }, 'policy.refreshIntervalSeconds: expected an integer from 0 to'],
    [{ name: 'p', extra: 1 }, 'policy.extra'],
  ])('%j is refused: %s', (input, message) => {
    expect(() => parseEasPolicy(input)).toThrow(message);
  });
});

describe('two policies merge into the stricter of the two, setting by setting', () => {
  const spec = (name: string) => SETTING_BY_NAME.get(name)!;
  it.each([
    ['AllowCamera', true, false, false],
    ['AllowCamera', true, true, true],
    ['RequireDeviceEncryption', false, true, true],
    ['MinDevicePasswordLength', 4, 6, 6],
    ['MinDevicePasswordLength', null, 4, 4],
    ['MaxInactivityTimeDeviceLock', 900, 300, 300],
    ['MaxInactivityTimeDeviceLock', null, 900, 900],
    ['MaxAttachmentSize', null, null, null],
    ['MaxEmailAgeFilter', 0, 3, 3],
    ['MaxEmailAgeFilter', 5, 1, 1],
    ['MaxCalendarAgeFilter', 7, 4, 4],
    ['AllowBluetooth', 2, 1, 1],
    ['RequireEncryptionSMIMEAlgorithm', 1, 2, 2],
    ['UnapprovedInROMApplicationList', ['a.exe'], ['b.exe'], ['a.exe', 'b.exe']],
    ['ApprovedApplicationList', [], ['A'.repeat(40)], ['A'.repeat(40)]],
    ['ApprovedApplicationList', ['A'.repeat(40), 'B'.repeat(40)], ['B'.repeat(40), 'C'.repeat(40)], ['B'.repeat(40)]],
  ])('%s: %j and %j give %j, in either order', (name, a, b, expected) => {
    expect(stricterValue(spec(name), a, b)).toEqual(expected);
    expect(stricterValue(spec(name), b, a)).toEqual(expected);
  });

  it('application hashes compare without regard to case', () => {
    const p = parseEasPolicy({ name: 'p', settings: { ApprovedApplicationList: ['ab'.repeat(20)] } });
    expect(p.settings.ApprovedApplicationList).toEqual(['AB'.repeat(20)]);
  });

  it('merges complete sets: each side wins where it is stricter', () => {
    const gateway = effectiveSettings({ DevicePasswordEnabled: true, MinDevicePasswordLength: 6, AllowCamera: true });
    const upstream = effectiveSettings({ MinDevicePasswordLength: 4, AllowCamera: false, MaxEmailAgeFilter: 4 });
    const merged = stricterOf(gateway, upstream);
    expect([merged.get('DevicePasswordEnabled'), merged.get('MinDevicePasswordLength'), merged.get('AllowCamera'), merged.get('MaxEmailAgeFilter')]).toEqual([true, 6, false, 4]);
  });
});

describe('the policy in force for a device, most specific first', () => {
  const compiled = (name: string, settings = {}) => compileEasPolicy(parseEasPolicy({ name, settings }));
  const policies = new Map([['Dev', compiled('Dev')], ['Mbx', compiled('Mbx')], ['Dom', compiled('Dom')], ['Org', compiled('Org')]]);

  it.each([
    [{ device: 'Dev', mailbox: 'Mbx', domain: 'Dom', organization: 'Org' }, 'Dev', 'device'],
    [{ mailbox: 'Mbx', domain: 'Dom', organization: 'Org' }, 'Mbx', 'mailbox'],
    [{ domain: 'Dom', organization: 'Org' }, 'Dom', 'domain'],
    [{ organization: 'Org' }, 'Org', 'organization'],
    [{ device: 'Gone', organization: 'Org' }, 'Org', 'organization'],
  ])('%j: %s from the %s', (names, expected, source) => {
    expect(choosePolicy(policies, names)).toMatchObject({ compiled: { policy: { name: expected } }, source });
  });

  it('none assigned: the upstream’s own policy passes through', () => {
    expect(choosePolicy(policies, {})).toBeUndefined();
    expect(choosePolicy(new Map(), { organization: 'Org' })).toBeUndefined();
  });

  it('a policy’s revision changes with its settings, not with its description', () => {
    const a = compiled('P', { MinDevicePasswordLength: 4 });
    expect(compiled('P', { MinDevicePasswordLength: 4 }).revision).toBe(a.revision);
    expect(compileEasPolicy({ ...a.policy, description: 'changed' }).revision).toBe(a.revision);
    expect(compiled('P', { MinDevicePasswordLength: 5 }).revision).not.toBe(a.revision);
  });
});

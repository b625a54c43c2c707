import { describe, expect, it } from 'vitest';
import { CHARACTERISTICS, type AccessLevel, type AccessReason } from '../../src/policy/index.js';
import { decide, NOW, rule, world, type World } from './world.js';

interface Step {
  name: string;
  apply(w: World): void;
  access: AccessLevel;
  reason: AccessReason;
  status?: 126 | 129;
  ruleId?: string;
}

const domain = (w: World) => w.domains[0]!;
const mailbox = (w: World) => w.mailbox!;

/** The evaluation order of issue 4, one condition per step; each gives a distinct verdict. */
const STEPS: Step[] = [
  { name: 'system off', apply: (w) => (w.system.activeSyncEnabled = false), access: 'Block', reason: 'SystemDisabled', status: 126 },
  { name: 'domain off', apply: (w) => (domain(w).activeSyncEnabled = false), access: 'Block', reason: 'DomainDisabled', status: 126 },
  { name: 'mailbox off', apply: (w) => (mailbox(w).activeSyncEnabled = false), access: 'Block', reason: 'UserDisabled', status: 126 },
  {
    name: 'license expired',
    apply: (w) => (w.system.license = { total: 100, expiresAt: '2026-05-31' }),
    access: 'Block',
    reason: 'License',
    status: 126,
  },
  { name: 'mailbox blocked list', apply: (w) => mailbox(w).blockedDeviceIds.push('APPL123'), access: 'Block', reason: 'Individual', status: 129 },
  { name: 'mailbox allowed list', apply: (w) => mailbox(w).allowedDeviceIds.push('Appl123'), access: 'Allow', reason: 'Individual' },
  { name: 'device-ID list', apply: (w) => w.deviceIds.push({ deviceId: 'appl123', accessLevel: 'Block' }), access: 'Block', reason: 'DeviceIdList', status: 129 },
  // The world's device is not linked to a backend device (no backendDeviceId).
  { name: 'unregistered device', apply: (w) => (w.org.unregisteredAccessLevel = 'Quarantine'), access: 'Quarantine', reason: 'Unregistered', status: 129 },
  {
    name: 'model rule',
    apply: (w) => w.rules.push(rule('q-model', 'DeviceModel', 'iPhone 15', 'Quarantine')),
    access: 'Quarantine',
    reason: 'DeviceRule',
    status: 129,
    ruleId: 'q-model',
  },
  { name: 'user default', apply: (w) => (mailbox(w).defaultAccessLevel = 'Block'), access: 'Block', reason: 'User', status: 129 },
  { name: 'domain default', apply: (w) => (domain(w).defaultAccessLevel = 'Quarantine'), access: 'Quarantine', reason: 'Domain', status: 129 },
  { name: 'organisation default', apply: (w) => (w.org.defaultAccessLevel = 'Block'), access: 'Block', reason: 'Global', status: 129 },
];

function expected(s: Step) {
  const state = s.access === 'Allow' ? 'Allowed' : s.access === 'Block' ? 'Blocked' : 'Quarantined';
  return { access: s.access, state, reason: s.reason, ruleId: s.ruleId, status: s.status };
}

describe('evaluate: every reason on its own', () => {
  it('allows a known device with nothing configured (Global, Allow)', () => {
    expect(decide(world())).toEqual({ access: 'Allow', state: 'Allowed', reason: 'Global' });
  });
  it.each(STEPS)('$name → $access ($reason)', (step) => {
    const w = world();
    step.apply(w);
    expect(decide(w)).toEqual(JSON.parse(JSON.stringify(expected(step))));
  });
});

describe('evaluate: every precedence pair', () => {
  const pairs = STEPS.flatMap((a, i) => STEPS.slice(i + 1).map((b) => [a, b] as const));
  it.each(pairs.map(([a, b]) => ({ a, b, label: `${a.name} over ${b.name}` })))('$label', ({ a, b }) => {
    const w = world();
    b.apply(w);
    a.apply(w);
    expect(decide(w)).toEqual(JSON.parse(JSON.stringify(expected(a))));
  });
});

describe('evaluate: the unregistered access level', () => {
  it('leaves a device linked to a registered backend device to the rules and defaults', () => {
    const w = world();
    w.org.unregisteredAccessLevel = 'Block';
    w.association = { ...w.association, backendDeviceId: 'mdm-1' };
    expect(decide(w)).toEqual({ access: 'Allow', state: 'Allowed', reason: 'Global' });
  });
  it('lets a new device discover (so that an IMEI a registration names can arrive), and refuses its first other command', () => {
    const w = world();
    w.org.unregisteredAccessLevel = 'Block';
    w.association = undefined;
    w.request.command = 'Provision';
    expect(decide(w)).toMatchObject({ access: 'Allow', state: 'DeviceDiscovery' });
    w.request.command = 'FolderSync';
    expect(decide(w)).toMatchObject({ access: 'Block', reason: 'Unregistered' });
  });
  it('decides a Provision that carries DeviceInformation: nothing is left to discover', () => {
    const w = world();
    w.org.unregisteredAccessLevel = 'Quarantine';
    w.association = undefined;
    w.request.command = 'Provision';
    w.request.model = 'iPhone 15';
    expect(decide(w)).toMatchObject({ access: 'Quarantine', reason: 'Unregistered' });
  });
  it('is Allow for organisation settings stored before it existed', () => {
    const w = world();
    delete w.org.unregisteredAccessLevel;
    expect(decide(w)).toMatchObject({ access: 'Allow', reason: 'Global' });
  });
});

describe('evaluate: rules, most specific characteristic first', () => {
  const value = { UserAgent: 'Apple-iPhone15C2/2101.1', DeviceOS: 'iOS 17.1', DeviceModel: 'iPhone 15', DeviceType: 'iPhone' } as const;
  const level = { UserAgent: 'Block', DeviceOS: 'Quarantine', DeviceModel: 'Allow', DeviceType: 'Block' } as const;
  const pairs = CHARACTERISTICS.flatMap((a, i) => CHARACTERISTICS.slice(i + 1).map((b) => ({ a, b })));
  it.each(pairs)('$a over $b', ({ a, b }) => {
    const w = world();
    w.org.defaultAccessLevel = 'Quarantine';
    w.rules.push(rule(`r-${b}`, b, value[b], level[b]), rule(`r-${a}`, a, value[a], level[a]));
    expect(decide(w)).toMatchObject({ reason: 'DeviceRule', ruleId: `r-${a}`, access: level[a] });
  });

  it('matches exactly, case and all', () => {
    const w = world();
    w.rules.push(rule('r', 'DeviceModel', 'iphone 15', 'Block'), rule('s', 'DeviceOS', 'iOS 17', 'Block'));
    expect(decide(w).reason).toBe('Global');
  });

  it('re-evaluates on every request: an OS upgrade leaves a block rule', () => {
    const w = world();
    w.rules.push(rule('old-ios', 'DeviceOS', 'iOS 17.1', 'Block'));
    expect(decide(w)).toMatchObject({ access: 'Block', ruleId: 'old-ios', status: 129 });
    w.request.os = 'iOS 17.2';
    expect(decide(w)).toMatchObject({ access: 'Allow', reason: 'Global' });
  });

  it('lets the most restrictive of two rules on the same query string win', () => {
    const w = world();
    w.rules.push(rule('b', 'DeviceType', 'iPhone', 'Allow'), rule('a', 'DeviceType', 'iPhone', 'Block'), rule('c', 'DeviceType', 'iPhone', 'Quarantine'));
    w.association = { deviceType: 'iPhone', deviceInfoAt: NOW };
    w.request.userAgent = undefined;
    expect(decide(w)).toMatchObject({ access: 'Block', ruleId: 'a' });
  });

  it('keeps a per-device admin verdict over any rule', () => {
    const w = world();
    w.rules.push(rule('ua', 'UserAgent', 'Apple-iPhone15C2/2101.1', 'Block'));
    mailbox(w).allowedDeviceIds.push('APPL123');
    expect(decide(w)).toMatchObject({ access: 'Allow', reason: 'Individual' });
  });
});

describe('evaluate: DeviceDiscovery', () => {
  function fresh(command: string): World {
    const w = world();
    w.association = undefined;
    w.request.command = command;
    w.rules.push(rule('m', 'DeviceModel', 'iPhone 15', 'Block'), rule('t', 'DeviceType', 'iPhone', 'Quarantine'));
    return w;
  }

  it.each(['OPTIONS', 'Provision', 'Settings'])('lets %s through while model and OS are unknown', (cmd) => {
    expect(decide(fresh(cmd))).toEqual({ access: 'Allow', state: 'DeviceDiscovery', reason: 'Global' });
  });

  it('decides other commands with what query and headers give (model falls back to device type)', () => {
    const w = fresh('FolderSync');
    w.rules.push(rule('type-as-model', 'DeviceModel', 'iPhone', 'Allow'));
    expect(decide(w)).toMatchObject({ access: 'Allow', reason: 'DeviceRule', ruleId: 'type-as-model' });
    w.rules.pop();
    expect(decide(w)).toMatchObject({ access: 'Quarantine', ruleId: 't' });
  });

  it('applies a model rule to the Provision that carries the model, and after it', () => {
    const w = fresh('Provision');
    w.request.model = 'iPhone 15';
    expect(decide(w)).toMatchObject({ access: 'Block', ruleId: 'm' });
    w.request.model = undefined;
    w.association = { deviceType: 'iPhone', model: 'iPhone 15', deviceInfoAt: NOW };
    w.request.command = 'Sync';
    expect(decide(w)).toMatchObject({ access: 'Block', ruleId: 'm' });
  });

  it('keeps discovering while the association is still in DeviceDiscovery', () => {
    const w = fresh('Provision');
    w.association = { deviceType: 'iPhone', accessState: 'DeviceDiscovery' };
    expect(decide(w).state).toBe('DeviceDiscovery');
  });

  it('decides the Provisions of a device that never sends DeviceInformation once it has a verdict', () => {
    const w = fresh('Provision');
    w.association = { deviceType: 'iPhone', accessState: 'Quarantined' };
    expect(decide(w)).toMatchObject({ state: 'Quarantined', ruleId: 't' });
  });

  it('stops discovery once DeviceInformation arrived, even without a model', () => {
    const w = fresh('Provision');
    w.association = { deviceType: 'iPhone', deviceInfoAt: NOW };
    expect(decide(w)).toMatchObject({ access: 'Quarantine', ruleId: 't' });
  });

  it('lets a UserAgent rule decide at once (nothing learnt later can override it)', () => {
    const w = fresh('Provision');
    w.rules.push(rule('ua', 'UserAgent', 'Apple-iPhone15C2/2101.1', 'Block'));
    expect(decide(w)).toMatchObject({ access: 'Block', ruleId: 'ua' });
  });

  it('does not let discovery open a refused mailbox or listed device', () => {
    const w = fresh('Provision');
    w.deviceIds.push({ deviceId: 'APPL123', accessLevel: 'Block' });
    expect(decide(w).reason).toBe('DeviceIdList');
  });
});

describe('evaluate: licenses', () => {
  it('allows sync on the last day of a date-only license and refuses it the day after', () => {
    const w = world();
    w.system.license = { total: 10, expiresAt: '2026-06-01' };
    expect(decide(w).access).toBe('Allow');
    w.request.now = Date.parse('2026-06-02T00:00:00Z');
    expect(decide(w)).toMatchObject({ reason: 'License', status: 126 });
  });

  it('refuses everyone when more users are enabled than licensed', () => {
    const w = world();
    w.system.license = { total: 10 };
    w.licenseInUse = 10;
    expect(decide(w).access).toBe('Allow');
    w.licenseInUse = 11;
    expect(decide(w)).toMatchObject({ reason: 'License', access: 'Block' });
  });

  it('refuses a new user (no mailbox yet) when every seat is taken', () => {
    const w = world();
    w.system.license = { total: 10 };
    w.mailbox = undefined;
    w.licenseInUse = 9;
    expect(decide(w).access).toBe('Allow');
    w.licenseInUse = 10;
    expect(decide(w)).toMatchObject({ reason: 'License', status: 126 });
  });

  it('reports a mailbox disabled by the license as License, not UserDisabled', () => {
    const w = world();
    mailbox(w).activeSyncEnabled = false;
    mailbox(w).disabledReason = 'License';
    expect(decide(w)).toMatchObject({ reason: 'License', status: 126 });
  });
});

describe('evaluate: allocation', () => {
  it('hands out the same pre-built decision for the same verdict', () => {
    const w = world();
    w.rules.push(rule('r', 'DeviceModel', 'iPhone 15', 'Block'));
    const a = decide(w);
    expect(Object.isFrozen(a)).toBe(true);
    const unknownDomain = world();
    unknownDomain.request.user = 'bob@elsewhere.test';
    unknownDomain.mailbox = undefined;
    expect(decide(unknownDomain)).toBe(decide(world()));
  });
});

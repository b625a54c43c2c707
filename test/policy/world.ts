import {
  buildSnapshot,
  compileMailbox,
  defaultMailbox,
  defaultOrganizationSettings,
  evaluate,
  type Association,
  type Decision,
  type DeviceAccessRule,
  type DeviceIdEntry,
  type Domain,
  type EvalRequest,
  type Mailbox,
  type OrganizationSettings,
  type SystemSettings,
} from '../../src/policy/index.js';

/** One scenario for `evaluate`: settings, the mailbox, the association and the request. */
export interface World {
  system: SystemSettings;
  org: OrganizationSettings;
  domains: Domain[];
  rules: DeviceAccessRule[];
  deviceIds: DeviceIdEntry[];
  licenseInUse: number;
  mailbox: Mailbox | undefined;
  association: Partial<Association> | undefined;
  request: { -readonly [K in keyof EvalRequest]: EvalRequest[K] };
}

export const NOW = Date.parse('2026-06-01T12:00:00Z');

export function world(): World {
  return {
    system: { activeSyncEnabled: true },
    org: defaultOrganizationSettings(),
    domains: [{ name: 'example.test', activeSyncEnabled: true }],
    rules: [],
    deviceIds: [],
    licenseInUse: 1,
    mailbox: defaultMailbox('alice@example.test'),
    association: { deviceType: 'iPhone', model: 'iPhone 15', os: 'iOS 17.1', userAgent: 'Apple-iPhone15C2/2101.1', deviceInfoAt: NOW - 1000 },
    request: {
      command: 'Sync',
      user: 'alice@example.test',
      deviceKey: 'appl123',
      deviceType: 'iPhone',
      userAgent: 'Apple-iPhone15C2/2101.1',
      now: NOW,
    },
  };
}

export function decide(w: World): Decision {
  const snapshot = buildSnapshot({
    system: w.system,
    organization: w.org,
    domains: w.domains,
    rules: w.rules,
    deviceIds: w.deviceIds,
    licenseInUse: w.licenseInUse,
  });
  return evaluate(snapshot, w.mailbox && compileMailbox(w.mailbox), w.association, w.request);
}

export function rule(id: string, characteristic: DeviceAccessRule['characteristic'], queryString: string, accessLevel: DeviceAccessRule['accessLevel']): DeviceAccessRule {
  return { id, characteristic, queryString, accessLevel };
}

import type { Association, OrganizationSettings } from '../../src/policy/model.js';

export const PUBLIC_URL = 'https://easgate.example.com/console/';

export function quarantined(overrides: Partial<Association> = {}): Association {
  return {
    user: 'alice@example.com',
    deviceId: 'ABC123Def',
    deviceType: 'iPhone',
    model: 'iPhone15,2',
    imei: '356938035643809',
    os: 'iOS 17.4 21E219',
    friendlyName: "Alice's iPhone",
    phoneNumber: '+41791234567',
    userAgent: 'Apple-iPhone15C2/2104.239',
    protocolVersion: '16.1',
    firstSyncAt: Date.UTC(2026, 10, 24, 9, 0, 0),
    accessState: 'Quarantined',
    accessReason: 'DeviceRule',
    matchedRuleId: 'rule-ios-quarantine',
    accessStateAt: Date.UTC(2026, 10, 24, 9, 0, 1),
    displayName: 'alice_iPhone',
    ...overrides,
  };
}

export function org(overrides: Partial<OrganizationSettings> = {}): OrganizationSettings {
  return {
    defaultAccessLevel: 'Allow',
    adminMailRecipients: ['admin1@example.com', 'Admin2@example.com'],
    userMailInsert: 'Questions? Call the help desk on 1234.',
    ...overrides,
  };
}

/** The example of issue 4, field for field. */
export function example(): Record<string, unknown> {
  return {
    system: { activeSyncEnabled: true, license: { total: 500, expiresAt: '2027-12-31' } },
    organization: { defaultAccessLevel: 'Quarantine', adminMailRecipients: ['admin@example.test'], userMailInsert: 'Call the help desk.' },
    domains: [{ name: 'example.test', activeSyncEnabled: true }],
    rules: [{ id: 'block-old-ios', characteristic: 'DeviceOS', queryString: 'iOS 12.0', accessLevel: 'Block' }],
    mailboxes: [{ user: 'alice@example.test', activeSyncEnabled: true, allowedDeviceIds: ['APPL123'], blockedDeviceIds: [] }],
    deviceIds: [{ deviceId: 'LOANER01', accessLevel: 'Allow', note: 'loaner iPad' }],
  };
}

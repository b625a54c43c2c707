import { describe, expect, it } from 'vitest';
import {
  associationLink,
  looksLikeMailAddress,
  newDeviceMail,
  quarantineAdminMails,
  quarantineUserMail,
  wipeAcknowledgedMails,
} from '../../src/notify/messages.js';
import { PUBLIC_URL, org, quarantined } from './sample.js';

describe('quarantine mail to the user', () => {
  it('names the device, says it awaits approval and carries the UserMailInsert', () => {
    const m = quarantineUserMail(quarantined(), org());
    expect(m?.to).toBe('alice@example.com');
    expect(m?.subject).toBe("Your device Alice's iPhone is waiting for approval");
    for (const s of ['quarantined until an administrator allows it', 'iPhone15,2', 'iPhone', 'ABC123Def', 'iOS 17.4 21E219', '2026-11-24T09:00:00.000Z', 'Questions? Call the help desk on 1234.']) {
      expect(m?.text).toContain(s);
    }
    expect(m?.text).not.toContain('356938035643809');
  });

  it('is not written for a user that is no mail address, and leaves out an empty insert', () => {
    expect(quarantineUserMail(quarantined({ user: 'alice' }), org())).toBeUndefined();
    const m = quarantineUserMail(quarantined(), org({ userMailInsert: '  ' }));
    expect(m?.text.trimEnd().endsWith('First seen:  2026-11-24T09:00:00.000Z')).toBe(true);
  });
});

describe('quarantine mail to the admins', () => {
  it('goes to each AdminMailRecipient with every device detail, the state, the rule and the link', () => {
    const mails = quarantineAdminMails(quarantined(), org(), PUBLIC_URL);
    expect(mails.map((m) => m.to)).toEqual(['admin1@example.com', 'Admin2@example.com']);
    const m = mails[0]!;
    expect(m.subject).toBe("Quarantined: Alice's iPhone of alice@example.com");
    for (const s of [
      'User:              alice@example.com',
      'Device model:      iPhone15,2',
      'Device type:       iPhone',
      'Device ID:         ABC123Def',
      'Device OS:         iOS 17.4 21E219',
      'User agent:        Apple-iPhone15C2/2104.239',
      'Phone number:      +41791234567',
      'IMEI:              356938035643809',
      'Protocol version:  16.1',
      'Access state:      Quarantined',
      'Access reason:     DeviceRule',
      'Matching rule:     rule-ios-quarantine',
      'https://easgate.example.com/console/associations/alice%40example.com/ABC123Def',
    ]) {
      expect(m.text).toContain(s);
    }
  });

  it('skips recipients that are no mail address and duplicates, and marks unknown details', () => {
    const a = quarantined({ model: undefined, imei: undefined, matchedRuleId: undefined, accessReason: 'Global' });
    const mails = quarantineAdminMails(a, org({ adminMailRecipients: ['x@example.com', 'X@example.com', 'not an address', ''] }), 'https://h');
    expect(mails.map((m) => m.to)).toEqual(['x@example.com']);
    expect(mails[0]?.text).toContain('IMEI:              (unknown)');
    expect(mails[0]?.text).toContain('Matching rule:     (none)');
    expect(mails[0]?.text).toContain('Access reason:     Global');
    expect(quarantineAdminMails(a, org({ adminMailRecipients: [] }), 'https://h')).toEqual([]);
  });

  it('cannot be bent by a device that puts line breaks in its details', () => {
    const a = quarantined({ friendlyName: 'evil\r\nBcc: victim@example.com', userAgent: 'UA\nInjected: 1' });
    const m = quarantineAdminMails(a, org(), PUBLIC_URL)[0]!;
    expect(m.subject).not.toMatch(/[\r\n]/);
    expect(m.subject).toBe('Quarantined: evil Bcc: victim@example.com of alice@example.com');
    expect(m.text).toContain('User agent:        UA Injected: 1');
  });
});

describe('new device mail', () => {
  it('tells the user which device joined and what to do if it was not them', () => {
    const m = newDeviceMail(quarantined({ accessState: 'Allowed', accessReason: 'Global' }));
    expect(m?.to).toBe('alice@example.com');
    expect(m?.subject).toBe("A new device joined your mailbox: Alice's iPhone");
    for (const s of ['iPhone15,2', 'ABC123Def', 'Apple-iPhone15C2/2104.239', 'If this was not you']) expect(m?.text).toContain(s);
    expect(newDeviceMail(quarantined({ user: 'bob' }))).toBeUndefined();
  });
});

describe('wipe acknowledged mail', () => {
  const wiped = quarantined({
    accessState: 'Blocked',
    wipeStatus: 'WipeSucceeded',
    wipeRequestedBy: 'helpdesk@example.com',
    wipeRequestedAt: Date.UTC(2026, 10, 24, 10, 0, 0),
    wipeSentAt: Date.UTC(2026, 10, 24, 10, 0, 5),
    wipeAckAt: Date.UTC(2026, 10, 24, 10, 0, 9),
  });

  it('goes to the requestor and each AdminMailRecipient with the wipe times', () => {
    const mails = wipeAcknowledgedMails(wiped, org(), PUBLIC_URL);
    expect(mails.map((m) => m.to)).toEqual(['helpdesk@example.com', 'admin1@example.com', 'Admin2@example.com']);
    const m = mails[0]!;
    expect(m.subject).toBe("Wipe acknowledged: Alice's iPhone of alice@example.com");
    for (const s of [
      'has acknowledged the full wipe',
      'Wipe status:       WipeSucceeded',
      'Requested by:      helpdesk@example.com',
      'Requested at:      2026-11-24T10:00:00.000Z',
      'Sent at:           2026-11-24T10:00:05.000Z',
      'Acknowledged at:   2026-11-24T10:00:09.000Z',
      'IMEI:              356938035643809',
      'associations/alice%40example.com/ABC123Def',
    ]) {
      expect(m.text).toContain(s);
    }
  });

  it('skips a requestor that is a token name, not a mail address, and says when the wipe failed or was account-only', () => {
    const mails = wipeAcknowledgedMails({ ...wiped, wipeRequestedBy: 'ops-token', wipeStatus: 'WipeFailed', wipeAccountOnly: true }, org(), PUBLIC_URL);
    expect(mails.map((m) => m.to)).toEqual(['admin1@example.com', 'Admin2@example.com']);
    expect(mails[0]?.subject).toBe("Wipe failed: Alice's iPhone of alice@example.com");
    expect(mails[0]?.text).toContain('reported that the account-only wipe failed');
  });

  it('goes once to a requestor who is also an admin recipient', () => {
    const mails = wipeAcknowledgedMails({ ...wiped, wipeRequestedBy: 'admin1@example.com' }, org(), PUBLIC_URL);
    expect(mails.map((m) => m.to)).toEqual(['admin1@example.com', 'Admin2@example.com']);
  });
});

describe('helpers', () => {
  it('recognise mail addresses and build links without a doubled slash', () => {
    expect(looksLikeMailAddress('a@b.ch')).toBe(true);
    expect(looksLikeMailAddress('a@b')).toBe(false);
    expect(looksLikeMailAddress('a b@c.ch')).toBe(false);
    expect(looksLikeMailAddress('a@b.ch\r\nBcc: x@y.z')).toBe(false);
    expect(associationLink('https://h/', quarantined({ deviceId: 'a/b' }))).toBe('https://h/associations/alice%40example.com/a%2Fb');
  });
});

import { describe, expect, it } from 'vitest';
import { encodeBase64Query, parseQuery, QueryError } from '../../src/eas/query.js';

describe('base64 query ([MS-ASHTTP] 2.2.1.1.1.1)', () => {
  it('decodes the specification example jAAJBAp2MTQwRGV2aWNlAApTbWFydFBob25l', () => {
    const q = parseQuery('jAAJBAp2MTQwRGV2aWNlAApTbWFydFBob25l');
    expect(q.encoding).toBe('base64');
    expect(q.protocolVersion).toBe('14.0');
    expect(q.command?.name).toBe('Sync');
    expect(q.locale).toBe(0x0409);
    // Open-source servers key base64 device IDs as lowercase hex of the bytes (docs/protocol.md 1.3).
    expect(q.deviceId).toBe(Buffer.from('v140Device').toString('hex'));
    expect(q.policyKey).toBeUndefined();
    expect(q.deviceType).toBe('SmartPhone');
  });

  it('re-encodes the specification example to the same bytes', () => {
    expect(encodeBase64Query({ protocolVersion: '14.0', command: 'Sync', deviceId: 'v140Device', deviceType: 'SmartPhone' })).toBe(
      'jAAJBAp2MTQwRGV2aWNlAApTbWFydFBob25l',
    );
  });

  it('round-trips policy key, user and parameters', () => {
    const text = encodeBase64Query({
      protocolVersion: '14.1',
      command: 'SmartReply',
      deviceId: 'DEV42',
      deviceType: 'WP8',
      policyKey: 3942919513,
      user: 'alice@example.test',
      params: { CollectionId: '5', ItemId: '5:12', SaveInSent: 'T', AcceptMultiPart: 'T' },
    });
    const q = parseQuery(encodeURIComponent(text));
    expect(q).toMatchObject({
      protocolVersion: '14.1',
      policyKey: '3942919513',
      user: 'alice@example.test',
      deviceType: 'WP8',
      params: { CollectionId: '5', ItemId: '5:12', SaveInSent: 'T', AcceptMultiPart: 'T' },
    });
    expect(q.command?.name).toBe('SmartReply');
  });

  it.each([
    ['truncated header', 'jAA='],
    ['unknown version byte', Buffer.from([0x63, 0, 9, 4, 1, 0x41, 0, 1, 0x41]).toString('base64')],
    ['unknown command code', Buffer.from([0x8c, 7, 9, 4, 1, 0x41, 0, 1, 0x41]).toString('base64')],
    ['empty device id', Buffer.from([0x8c, 0, 9, 4, 0, 0, 1, 0x41]).toString('base64')],
    ['policy key of 3 bytes', Buffer.from([0x8c, 0, 9, 4, 1, 0x41, 3, 1, 2, 3, 1, 0x41]).toString('base64')],
    ['device id longer than the data', Buffer.from([0x8c, 0, 9, 4, 40, 0x41]).toString('base64')],
    ['parameter running past the end', Buffer.from([0x8c, 0, 9, 4, 1, 0x41, 0, 1, 0x41, 1, 9, 0x41]).toString('base64')],
    ['unknown parameter tag', Buffer.from([0x8c, 0, 9, 4, 1, 0x41, 0, 1, 0x41, 42, 1, 0x41]).toString('base64')],
    ['not base64 at all', '!!!notbase64'],
  ])('refuses a base64 query with %s', (_why, text) => {
    expect(() => parseQuery(text)).toThrow(QueryError);
  });
});

describe('plain query ([MS-ASHTTP] 2.2.1.1.1.2)', () => {
  it('reads the parameters in any order and key case, keeping command parameters', () => {
    const q = parseQuery('devicetype=iPhone&DEVICEID=Appl123&cmd=SmartForward&User=CORP%5Calice&ItemId=7&SaveInSent=T');
    expect(q).toMatchObject({
      encoding: 'plain',
      commandName: 'SmartForward',
      user: 'CORP\\alice',
      deviceId: 'Appl123',
      deviceType: 'iPhone',
      params: { ItemId: '7', SaveInSent: 'T' },
    });
  });
});

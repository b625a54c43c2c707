import { describe, expect, it } from 'vitest';
import { childrenNamed, compilePaths, decode, el, encode, extractPaths, textOf, WbxmlError } from '../../src/wbxml/index.js';
import { fixture } from './helpers/fixtures.js';

const SET = 'Provision:Provision/Settings:DeviceInformation/Set';

describe('extractPaths reads element text without building the tree', () => {
  it('reads the 14.1 initial Provision request as the tree has it', () => {
    const bytes = fixture('gen-provision-initial-request-14.1.wbxml');
    const fields = ['Model', 'IMEI', 'FriendlyName', 'OS', 'OSLanguage', 'PhoneNumber', 'UserAgent', 'EnableOutboundSMS', 'MobileOperator'];
    const values = extractPaths(bytes, compilePaths(fields.map((f) => `${SET}/${f}`)));
    const set = childrenNamed(childrenNamed(decode(bytes), 'DeviceInformation', 'Settings')[0]!, 'Set')[0]!;
    expect(values).toEqual(fields.map((f) => (childrenNamed(set, f).length > 0 ? textOf(childrenNamed(set, f)[0]!) : undefined)));
    expect(values).toEqual(['iPhone', '356938035643809', 'Test iPhone', 'iOS 17.0', 'en', '+15555550100', 'Apple-iPhone/2101.1', undefined, 'Carrier']);
  });

  it('gives "" for an empty element and undefined for a missing one', () => {
    const bytes = fixture('gen-provision-remotewipe-directive.wbxml');
    expect(extractPaths(bytes, ['Provision:Provision/RemoteWipe', 'Provision:Provision/AccountOnlyRemoteWipe', 'Provision:Provision/Status'])).toEqual(['', undefined, '1']);
  });

  it('takes the first element on a path and ignores later ones', () => {
    const bytes = encode(el('Ping:Ping', el('Folders', el('Folder', 'a'), el('Folder', 'b'))));
    expect(extractPaths(bytes, ['Ping:Ping/Folders/Folder'])).toEqual(['a']);
  });

  it('joins the strings of an element and reads its opaque data as UTF-8, not the text of nested elements', () => {
    const bytes = encode(el('AirSync:Sync', el('Status', '1', Uint8Array.from(Buffer.from('2')), '3'), el('Collections', el('Collection', el('Status', '9')))));
    expect(extractPaths(bytes, ['AirSync:Sync/Status', 'AirSync:Sync'])).toEqual(['123', '']);
  });

  it('matches the namespace too: Settings:Status is not Provision:Status', () => {
    const bytes = encode(el('Provision:Provision', el('Settings:DeviceInformation', el('Status', '1'))));
    expect(extractPaths(bytes, ['Provision:Provision/Status', 'Provision:Provision/Settings:DeviceInformation/Status'])).toEqual([undefined, '1']);
  });

  it('serves a path asked twice, and plain string arrays', () => {
    const bytes = fixture('gen-ping-request.wbxml');
    expect(extractPaths(bytes, ['Ping:Ping/HeartbeatInterval', 'Ping:Ping/HeartbeatInterval'])).toEqual(['480', '480']);
  });

  it('refuses a path that does not start with Ns:Name or names an unknown tag', () => {
    expect(() => compilePaths(['Provision/Status'])).toThrow(WbxmlError);
    expect(() => compilePaths(['Provision:Provision/NoSuchTag'])).toThrow(expect.objectContaining({ code: 'EASGATE_ERR_WBXML_INVALID_TREE' }) as Error);
  });
});

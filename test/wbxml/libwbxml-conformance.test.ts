import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decode, el, encode } from '../../src/wbxml/index.js';
import { fixture, WBXML_FIXTURES } from './helpers/fixtures.js';
import { libwbxmlView, parseLibwbxmlXml, WBXML2XML, wbxml2xml, withoutUnknownNs, type Doc } from './helpers/libwbxml.js';
import { arbitraryDocument } from './helpers/arbitrary.js';
import { sampleSyncResponse } from './helpers/sample-documents.js';

/** What libwbxml reads from `bytes`, and what we read, both in libwbxml's naming. */
function bothViews(bytes: Uint8Array): { theirs: Doc; ours: Doc } {
  return { theirs: withoutUnknownNs(parseLibwbxmlXml(wbxml2xml(bytes))), ours: withoutUnknownNs(libwbxmlView(decode(bytes))) };
}

function names(doc: Doc): string[] {
  return [doc.name, ...doc.children.flatMap((c) => (typeof c === 'string' ? [] : names(c)))];
}

describe('the oracle', () => {
  it('is installed: Debian libwbxml wbxml2xml (apt-get install libwbxml2-utils); these tests fail, never skip, without it', () => {
    const probe = spawnSync(WBXML2XML, ['-h'], { encoding: 'utf8' });
    expect(probe.error, `${WBXML2XML} not runnable: install the Debian package libwbxml2-utils`).toBeUndefined();
    expect(`${probe.stdout}${probe.stderr}`).toContain('libwbxml');
  });
});

describe('every fixture decodes to the document libwbxml produces', () => {
  it.each(WBXML_FIXTURES)('%s', (name) => {
    const { theirs, ours } = bothViews(fixture(name));
    expect(ours).toEqual(theirs);
  });

  it('deviation: libwbxml 0.11.8 predates AccountOnlyRemoteWipe (Provision 0x3B, 16.1) and prints <unknown> where we decode it', () => {
    for (const name of ['hand-provision-accountonly-wipe-directive.wbxml', 'hand-provision-accountonly-wipe-ack.wbxml']) {
      const tree = decode(fixture(name));
      expect(tree.children.some((c) => typeof c === 'object' && 'name' in c && c.name === 'AccountOnlyRemoteWipe')).toBe(true);
      expect(names(parseLibwbxmlXml(wbxml2xml(fixture(name))))).toContain('unknown');
    }
  });

  it('deviation: libwbxml names Provision 0x10 DeviceEncryptionEnabled; MS-ASWBXML 2.1.2.1.15 says RequireStorageCardEncryption', () => {
    const bytes = fixture('libwbxml-activesync-012-provision-eas.wbxml');
    expect(names(parseLibwbxmlXml(wbxml2xml(bytes)))).toContain('DeviceEncryptionEnabled');
    expect(JSON.stringify(decode(bytes))).toContain('"RequireStorageCardEncryption"');
  });
});

describe('documents our encoder writes decode correctly with libwbxml', () => {
  it('an 8 KiB Sync response with Email, AirSyncBase bodies and Email2 opaque conversation ids', () => {
    const tree = sampleSyncResponse();
    expect(parseLibwbxmlXml(wbxml2xml(encode(tree)))).toEqual(libwbxmlView(tree));
  });

  it('deviation: libwbxml misspells Settings 0x2B RightsManagementInformation as ihsManagementInformation', () => {
    const tree = el('Settings:Settings', el('UserInformation', el('Get')), el('RightsManagementInformation', el('Get')));
    const theirs = parseLibwbxmlXml(wbxml2xml(encode(tree)));
    expect(names(theirs)).toEqual(['Settings', 'UserInformation', 'Get', 'ihsManagementInformation', 'Get']);
    expect(theirs).toEqual(libwbxmlView(tree));
  });

  it('text with markup characters, non-ASCII and whitespace survives', () => {
    const tree = el('Email:Subject', ' <a> & "b" \'c\' — Grüße 日本 🙂 ', '\tsecond string\n');
    expect(parseLibwbxmlXml(wbxml2xml(encode(tree)))).toEqual(libwbxmlView(tree));
  });

  it('random documents over all code pages libwbxml knows (fast-check, seeded)', () => {
    fc.assert(
      fc.property(arbitraryDocument({ libwbxmlSafe: true }), (tree) => {
        expect(parseLibwbxmlXml(wbxml2xml(encode(tree)))).toEqual(libwbxmlView(tree));
      }),
      { seed: 0x5eed_0003, numRuns: 200 },
    );
  });
});

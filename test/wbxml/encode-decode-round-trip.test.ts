import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { xmlToTree } from '../../src/cli/wbxml-command.js';
import { decode, el, encode } from '../../src/wbxml/index.js';
import { arbitraryDocument } from './helpers/arbitrary.js';
import { doc } from './helpers/expect-code.js';
import { EAS_FORM_FIXTURES, fixture, fixtureXml } from './helpers/fixtures.js';

describe('encode(decode(x)) gives x back for EAS-form documents', () => {
  it.each(EAS_FORM_FIXTURES)('%s', (name) => {
    const bytes = fixture(name);
    expect(encode(decode(bytes)).equals(bytes)).toBe(true);
  });

  it('the MS-ASWBXML section 3 example, byte for byte as the specification prints it', () => {
    const spec =
      '03 01 6A 00 45 5C 4F 50 03 43 6F 6E 74 61 63 74 73 00 01 4B 03 32 00 01 52 03 32 00 01 4E 03 31 00 01 56 47 4D 03 32 3A 31 00 01 5D 00 11 4A 46 03 31 00 01 4C 03 30 00 01 4D 03 31 00 01 01 00 01 5E 03 46 75 6E 6B 2C 20 44 6F 6E 00 01 5F 03 44 6F 6E 00 01 69 03 46 75 6E 6B 00 01 00 11 56 03 31 00 01 01 01 01 01 01 01';
    const bytes = Buffer.from(spec.replace(/ /g, ''), 'hex');
    expect(fixture('ms-aswbxml-sec3-sync-response.wbxml').equals(bytes)).toBe(true);
    expect(encode(decode(bytes)).equals(bytes)).toBe(true);
  });
});

describe('other spec-valid forms decode to the same tree and re-encode in EAS form', () => {
  it('a string table, STR_T and the public id as a string-table reference (libwbxml xml2wbxml without -n)', () => {
    const easForm = encode(xmlToTree(fixtureXml('xml2wbxml-strtab-foldersync.wbxml')));
    for (const name of ['xml2wbxml-strtab-foldersync-publicid.wbxml', 'xml2wbxml-strtab-foldersync-anonymous.wbxml']) {
      const tree = decode(fixture(name));
      expect(tree).toEqual(decode(easForm));
      expect(encode(tree).equals(easForm)).toBe(true);
    }
  });

  it('redundant SWITCH_PAGEs and an empty content-flagged element come back canonical', () => {
    // SWITCH_PAGE 0 twice, Sync+content, Status+content immediately closed, END.
    const tree = decode(doc(0x00, 0x00, 0x00, 0x00, 0x45, 0x4e, 0x01, 0x01));
    expect(tree).toEqual(el('AirSync:Sync', el('Status')));
    expect([...encode(tree)]).toEqual([...doc(0x45, 0x0e, 0x01)]);
  });

  it('keeps each inline string and opaque as its own child, an empty string included', () => {
    const bytes = doc(0x45, 0x4e, 0x03, 0x00, 0x03, 0x61, 0x00, 0xc3, 0x01, 0x62, 0x01, 0x01);
    expect(decode(bytes)).toEqual(el('AirSync:Sync', el('Status', '', 'a', Uint8Array.of(0x62))));
    expect(encode(decode(bytes)).equals(bytes)).toBe(true);
  });

  it('reads bad UTF-8 as U+FFFD instead of failing the body', () => {
    expect(decode(doc(0x45, 0x4e, 0x03, 0x41, 0xff, 0x42, 0x00, 0x01, 0x01))).toEqual(el('AirSync:Sync', el('Status', 'A\ufffdB')));
  });
});

describe('decode(encode(tree)) gives the tree back', () => {
  it('for random trees over all 26 code pages, with any text and opaque data (fast-check, seeded)', () => {
    fc.assert(
      fc.property(arbitraryDocument({ libwbxmlSafe: false, maxDepth: 6 }), (tree) => {
        expect(decode(encode(tree))).toEqual(tree);
      }),
      { seed: 0x5eed_0004, numRuns: 1000 },
    );
  });
});

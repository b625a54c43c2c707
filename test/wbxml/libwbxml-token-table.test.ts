import { describe, expect, it } from 'vitest';
import { CODE_PAGES, type CodePage } from '../../src/wbxml/index.js';
import { parseLibwbxmlXml, wbxml2xml } from './helpers/libwbxml.js';

/**
 * Our code pages against libwbxml's, token by token: for each page one document holding
 * every tag token 0x05–0x3F as an empty element, read by the real wbxml2xml. Where
 * libwbxml names a token differently, code-page-data.ts says so (its `libwbxml` entries);
 * this test proves those entries, and that we declare every token libwbxml knows.
 */
const TOKENS = Array.from({ length: 0x3f - 0x05 + 1 }, (_, i) => i + 0x05);

function libwbxmlNamesOf(page: CodePage): { ns: string; name: string }[] {
  const root = page.names.findIndex((n) => n !== undefined);
  // Header, SWITCH_PAGE, a root with content, every token empty, END.
  const bytes = Uint8Array.from([0x03, 0x01, 0x6a, 0x00, 0x00, page.id, root | 0x40, ...TOKENS, 0x01]);
  const doc = parseLibwbxmlXml(wbxml2xml(bytes));
  return doc.children.map((c) => (typeof c === 'string' ? { ns: '', name: c } : { ns: c.ns, name: c.name }));
}

function expectedName(page: CodePage, token: number): string {
  const ours = page.names[token];
  if (ours === undefined || page.libwbxmlNs === null) return 'unknown';
  const theirs = page.libwbxmlNames.get(token);
  return theirs === undefined ? ours : (theirs ?? 'unknown');
}

const pages = CODE_PAGES.filter((p): p is CodePage => p !== undefined);

describe('code pages agree with libwbxml 0.11.8 token by token, deviations declared', () => {
  it('declares all 26 ActiveSync code pages, 0 (AirSync) to 25 (Find)', () => {
    expect(pages.map((p) => p.id)).toEqual(Array.from({ length: 26 }, (_, i) => i));
  });

  it.each(pages.map((p) => [p.id, p.ns, p] as const))('page %i %s', (_id, _ns, page) => {
    const theirs = libwbxmlNamesOf(page);
    expect(theirs.map((t) => t.name)).toEqual(TOKENS.map((t) => expectedName(page, t)));
    for (const [i, t] of theirs.entries()) if (t.name !== 'unknown') expect(t.ns, `token 0x${TOKENS[i]!.toString(16)}`).toBe(page.libwbxmlNs);
  });

  it('libwbxml lacks Provision 0x3B AccountOnlyRemoteWipe (16.1, [MS-ASPROV] 2.2.2.1); we decode it', () => {
    const provision = CODE_PAGES[14]!;
    expect(provision.names[0x3b]).toBe('AccountOnlyRemoteWipe');
    expect(libwbxmlNamesOf(provision)[0x3b - 0x05]!.name).toBe('unknown');
  });

  it('libwbxml misspells Settings 0x2B as ihsManagementInformation; MS-ASWBXML says RightsManagementInformation', () => {
    const settings = CODE_PAGES[18]!;
    expect(settings.names[0x2b]).toBe('RightsManagementInformation');
    expect(libwbxmlNamesOf(settings)[0x2b - 0x05]!.name).toBe('ihsManagementInformation');
  });

  it('libwbxml has no page 25 (Find, 16.1) at all', () => {
    expect(libwbxmlNamesOf(CODE_PAGES[25]!).every((t) => t.name === 'unknown')).toBe(true);
  });

  it('lists every deviation: 86 tags named differently or unknown to libwbxml, plus its namespace Gal for GAL', () => {
    const deviations = pages.flatMap((p) => p.names.flatMap((name, token) => (name !== undefined && expectedName(p, token) !== name ? [`${p.ns}:${name}`] : [])));
    expect(deviations.length).toBe(86);
    expect(pages.filter((p) => p.libwbxmlNs !== null && p.libwbxmlNs !== p.ns).map((p) => `${p.ns}→${p.libwbxmlNs}`)).toEqual(['GAL→Gal']);
  });
});

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runWbxmlCommand, treeToXml, xmlToTree } from '../../src/cli/wbxml-command.js';
import { decode, el, encode } from '../../src/wbxml/index.js';
import { EAS_FORM_FIXTURES, fixture, fixtureXml, FIXTURE_DIR, XML_SOURCED_FIXTURES } from '../wbxml/helpers/fixtures.js';
import { parseLibwbxmlXml, wbxml2xml, type Doc } from '../wbxml/helpers/libwbxml.js';

/** Drops the indentation our XML adds (whitespace-only text beside elements). */
function withoutLayout(doc: Doc): Doc {
  const hasElements = doc.children.some((c) => typeof c !== 'string');
  const kept = doc.children.filter((c) => !(hasElements && typeof c === 'string' && c.trim() === ''));
  return { ...doc, children: kept.map((c) => (typeof c === 'string' ? c : withoutLayout(c))) };
}

async function run(args: string[], stdin: Buffer | string = ''): Promise<{ code: number; stdout: Buffer; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  const code = await runWbxmlCommand(args, { stdin: Readable.from([Buffer.from(stdin)]), stdout, stderr });
  return { code, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') };
}

describe('easgate wbxml decode', () => {
  it('prints the XML wbxml2xml prints: DOCTYPE, default xmlns on the root and where the page changes', async () => {
    const { code, stdout } = await run(['decode', join(FIXTURE_DIR, 'gen-provision-initial-request-14.1.wbxml')]);
    expect(code).toBe(0);
    const xml = stdout.toString('utf8');
    expect(xml).toContain('<!DOCTYPE ActiveSync PUBLIC "-//MICROSOFT//DTD ActiveSync//EN" "http://www.microsoft.com/">');
    expect(xml).toContain('<Provision xmlns="Provision:">');
    expect(xml).toContain('<DeviceInformation xmlns="Settings:">');
    expect(withoutLayout(parseLibwbxmlXml(xml))).toEqual(parseLibwbxmlXml(wbxml2xml(fixture('gen-provision-initial-request-14.1.wbxml'))));
  });

  it('reads stdin when the file is -', async () => {
    const { code, stdout } = await run(['decode', '-'], fixture('gen-sync-status129.wbxml'));
    expect(code).toBe(0);
    expect(stdout.toString('utf8')).toContain('<Sync xmlns="AirSync:">\n  <Status>129</Status>\n</Sync>\n');
  });

  it('names the error code and offset of a bad body, without a stack trace, exit 1', async () => {
    const { code, stdout, stderr } = await run(['decode', '-'], Buffer.from([0x03, 0x01, 0x6a, 0x00, 0x45, 0x4e, 0x03, 0x31]));
    expect(code).toBe(1);
    expect(stdout.length).toBe(0);
    expect(stderr).toMatch(/^easgate wbxml decode: EASGATE_ERR_WBXML_TRUNCATED: .*\(at byte 6\)\n$/);
    expect(stderr).not.toContain('    at ');
  });

  it('reports an unreadable file, exit 1', async () => {
    const { code, stderr } = await run(['decode', join(tmpdir(), 'no-such-easgate-file.wbxml')]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^easgate wbxml: cannot read .*no-such-easgate-file\.wbxml: /);
  });

  it('prints usage for a missing or unknown action, exit 2; help exits 0', async () => {
    expect((await run([])).code).toBe(2);
    expect((await run(['transmogrify', 'x'])).stderr).toContain('usage: easgate wbxml decode FILE|-');
    expect((await run(['decode'])).code).toBe(2);
    expect((await run(['--help'])).code).toBe(0);
  });
});

describe('easgate wbxml encode', () => {
  it.each(XML_SOURCED_FIXTURES)('encodes %s.xml (libwbxml naming, comments, whitespace) to the bytes xml2wbxml wrote', async (name) => {
    const { code, stdout } = await run(['encode', '-'], fixtureXml(name));
    expect(code).toBe(0);
    if (name.startsWith('xml2wbxml-strtab-')) expect(decode(stdout)).toEqual(decode(fixture(name)));
    else expect(stdout.equals(fixture(name))).toBe(true);
  });

  it('reads a file argument', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'easgate-wbxml-'));
    writeFileSync(join(dir, 'blocked.xml'), '<Sync xmlns="AirSync:"><Status>129</Status></Sync>');
    const { code, stdout } = await run(['encode', join(dir, 'blocked.xml')]);
    expect(code).toBe(0);
    expect(stdout.equals(fixture('gen-sync-status129.wbxml'))).toBe(true);
  });

  it('accepts prefixed namespaces as in the MS-ASPROV examples, with or without the trailing colon', async () => {
    const xml = '<Provision xmlns="Provision" xmlns:settings="Settings:"><settings:DeviceInformation><settings:Set><settings:Model>iPhone</settings:Model></settings:Set></settings:DeviceInformation></Provision>';
    const { stdout } = await run(['encode', '-'], xml);
    expect(decode(stdout)).toEqual(el('Provision:Provision', el('Settings:DeviceInformation', el('Set', el('Model', 'iPhone')))));
  });

  it.each([
    ['not well-formed', '<Sync xmlns="AirSync:"><Status>1</Sync>', /line 1/],
    ['no namespace', '<Sync><Status>1</Status></Sync>', /has no namespace/],
    ['an unknown namespace', '<Sync xmlns="Nope:"/>', /not an ActiveSync code page/],
    ['an unknown tag', '<Sync xmlns="AirSync:"><Bogus/></Sync>', /has no tag 'Bogus'/],
    ['an attribute', '<Sync xmlns="AirSync:" id="1"/>', /has no attributes/],
    ['two roots', '<Sync xmlns="AirSync:"/><Sync xmlns="AirSync:"/>', /./],
    ['bad base64 in a binary element', '<ConversationId xmlns="Email2:">not base64!</ConversationId>', /base64/],
  ])('rejects %s with EASGATE_ERR_WBXML_BAD_XML, exit 1', async (_what, xml, detail) => {
    const { code, stderr } = await run(['encode', '-'], xml);
    expect(code).toBe(1);
    expect(stderr).toContain('EASGATE_ERR_WBXML_BAD_XML');
    expect(stderr).toMatch(detail);
  });
});

describe('XML conventions round-trip', () => {
  it.each(EAS_FORM_FIXTURES)('decode then encode gives %s back byte for byte', (name) => {
    expect(encode(xmlToTree(treeToXml(decode(fixture(name))))).equals(fixture(name))).toBe(true);
  });

  it('opaque data: base64 in binary elements (as wbxml2xml), CDATA for UTF-8 elsewhere, a PI for other bytes', () => {
    const tree = el('AirSync:Sync',
      el('Email2:ConversationId', Uint8Array.from([1, 2, 3, 0xfe])),
      el('AirSyncBase:Body', el('Data', Uint8Array.from(Buffer.from('MIME <text> & more'))), el('Data', Uint8Array.from([0xff, 0x00]))),
      el('AirSync:Status', 'a < b & c\r\n\u0001'));
    const xml = treeToXml(tree);
    expect(xml).toContain('<ConversationId xmlns="Email2:">AQID/g==</ConversationId>');
    expect(xml).toContain('<Data><![CDATA[MIME <text> & more]]></Data>');
    expect(xml).toContain('<Data><?easgate-opaque base64="/wA="?></Data>');
    expect(xml).toContain('<Status>a &lt; b &amp; c&#xd;\n&#x1;</Status>');
    expect(xmlToTree(xml)).toEqual(tree);
    expect(parseLibwbxmlXml(wbxml2xml(encode(tree))).children[0]).toEqual({ ns: 'Email2', name: 'ConversationId', children: ['AQID/g=='] });
  });
});

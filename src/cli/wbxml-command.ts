import { readFile } from 'node:fs/promises';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { Io } from '../main.js';
import { CODE_PAGES, decode, encode, isElement, tagToken, WbxmlError, type CodePage, type WbxmlElement, type WbxmlNode } from '../wbxml/index.js';

/**
 * `easgate wbxml decode FILE|-` and `easgate wbxml encode FILE|-`: WBXML ↔ XML for
 * debugging captures and writing fixtures.
 *
 * The XML is what libwbxml's `wbxml2xml -l ACTIVESYNC` prints: the DOCTYPE line, and a
 * default `xmlns="Ns:"` on the root and on every element whose code page differs from its
 * parent's. On input, prefixed namespaces (`xmlns:settings="Settings:"`, as in the MS-ASCMD
 * examples), namespaces with or without the trailing colon, and libwbxml's own tag names
 * (e.g. DeviceEncryptionEnabled) are accepted too. Opaque data:
 * - in elements whose content is binary (Email2:ConversationId, ComposeMail:Mime, ...):
 *   base64 text, as wbxml2xml writes it (it does so for an inline string there too, which
 *   therefore comes back as OPAQUE);
 * - elsewhere: a CDATA section when the bytes are XML-safe UTF-8, otherwise
 *   `<?easgate-opaque base64="..."?>`. Plain text is an inline string (STR_I).
 */

const DOCTYPE = '<!DOCTYPE ActiveSync PUBLIC "-//MICROSOFT//DTD ActiveSync//EN" "http://www.microsoft.com/">';
const USAGE = 'usage: easgate wbxml decode FILE|-   (WBXML in, XML out)\n       easgate wbxml encode FILE|-   (XML in, WBXML out)\n';

function escapeText(text: string): string {
  // C0 controls (and CR, which XML parsers fold into LF) as character references.
  return text.replace(/[&<>\u0000-\u0008\u000b-\u001f]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : `&#x${c.charCodeAt(0).toString(16)};`));
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function opaqueXml(bytes: Uint8Array, binary: boolean): string {
  const base64 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('base64');
  if (binary) return base64;
  let text: string | undefined;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    text = undefined;
  }
  const cdataSafe = text !== undefined && !text.includes(']]>') && !/[\u0000-\u0008\u000b-\u001f\ufffe\uffff]/.test(text);
  return cdataSafe ? `<![CDATA[${text}]]>` : `<?easgate-opaque base64="${base64}"?>`;
}

/** The XML of a tree, indented; an element mixing text and elements is written on one line. */
export function treeToXml(root: WbxmlElement): string {
  const out: string[] = ['<?xml version="1.0" encoding="utf-8"?>\n', DOCTYPE, '\n'];
  type Item = { node: WbxmlNode; parentNs: string; indent: string; inline: boolean; binary: boolean } | string;
  const stack: Item[] = [{ node: root, parentNs: '', indent: '', inline: false, binary: false }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    if (typeof item === 'string') {
      out.push(item);
      continue;
    }
    const { node, indent, inline } = item;
    if (typeof node === 'string') out.push(item.binary ? Buffer.from(node, 'utf8').toString('base64') : escapeText(node));
    else if (node instanceof Uint8Array) out.push(opaqueXml(node, item.binary));
    else {
      const { page, token } = tagToken(node.ns, node.name);
      const open = `${inline ? '' : indent}<${node.name}${node.ns === item.parentNs ? '' : ` xmlns="${node.ns}:"`}`;
      const eol = inline ? '' : '\n';
      if (node.children.length === 0) {
        out.push(`${open}/>${eol}`);
        continue;
      }
      const hasElements = node.children.some(isElement);
      const childInline = inline || !hasElements || node.children.some((c) => !isElement(c));
      const binary = page.binary.has(token);
      out.push(`${open}>${childInline ? '' : '\n'}`);
      stack.push(`${childInline ? '' : indent}</${node.name}>${eol}`);
      for (let i = node.children.length - 1; i >= 0; i--) {
        stack.push({ node: node.children[i]!, parentNs: node.ns, indent: `${indent}  `, inline: childInline, binary });
      }
    }
  }
  return out.join('');
}

function badXml(detail: string): never {
  throw new WbxmlError('EASGATE_ERR_WBXML_BAD_XML', detail);
}

/** The code page of an XML namespace: 'Settings:' or 'Settings', any case, libwbxml's 'Gal:' too. */
function pageOfUri(uri: string): CodePage {
  const name = (uri.endsWith(':') ? uri.slice(0, -1) : uri).toLowerCase();
  const page = CODE_PAGES.find((p) => p !== undefined && (p.ns.toLowerCase() === name || p.libwbxmlNs?.toLowerCase() === name));
  return page ?? badXml(`namespace '${uri}' is not an ActiveSync code page`);
}

const ENTITIES: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-zA-Z]+);/g, (_, ref: string) => {
    if (ref.startsWith('#')) {
      const code = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return code <= 0x10ffff ? String.fromCodePoint(code) : badXml(`character reference &${ref}; is out of range`);
    }
    return ENTITIES[ref] ?? badXml(`unknown entity &${ref};`);
  });
}

function base64Bytes(text: string, where: string): Uint8Array {
  const compact = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) badXml(`${where} holds binary data, so its text must be base64`);
  return new Uint8Array(Buffer.from(compact, 'base64'));
}

type XmlNode = Record<string, unknown>;
type Scope = ReadonlyMap<string, CodePage>;

const parser = new XMLParser({
  preserveOrder: true, ignoreAttributes: false, attributeNamePrefix: '', cdataPropName: '#cdata',
  trimValues: false, parseTagValue: false, parseAttributeValue: false, processEntities: false,
  ignoreDeclaration: true, ignorePiTags: false,
});

/** Parses ActiveSync XML to a tree (see the module comment for the accepted forms). */
export function xmlToTree(xml: string): WbxmlElement {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) badXml(`line ${valid.err.line}, column ${valid.err.col}: ${valid.err.msg}`);
  let top: XmlNode[];
  try {
    top = parser.parse(xml) as XmlNode[];
  } catch (err) {
    return badXml(err instanceof Error ? err.message : String(err));
  }
  const roots = top.filter((n) => elementName(n) !== undefined);
  if (roots.length !== 1) badXml(`expected one root element, found ${roots.length}`);
  const first = openElement(roots[0]!, new Map());
  const stack = [first];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const { element, binary } = item;
    const where = `${element.ns}:${element.name}`;
    for (const child of item.children) {
      if (elementName(child) !== undefined) {
        const opened = openElement(child, item.scope);
        element.children.push(opened.element);
        stack.push(opened);
      } else if ('#text' in child) {
        const text = decodeEntities(String(child['#text']));
        element.children.push(binary ? base64Bytes(text, where) : text);
      } else if ('#cdata' in child) {
        const parts = child['#cdata'] as XmlNode[];
        element.children.push(new Uint8Array(Buffer.from(parts.map((p) => String(p['#text'] ?? '')).join(''), 'utf8')));
      } else if ('?easgate-opaque' in child) {
        const attrs = (child[':@'] ?? {}) as Record<string, unknown>;
        element.children.push(base64Bytes(String(attrs['base64'] ?? ''), where));
      }
    }
    // Layout whitespace: whitespace-only text beside element children is not content.
    if (element.children.some(isElement)) {
      element.children = element.children.filter((c) => !(typeof c === 'string' && c.trim() === ''));
    }
  }
  return first.element;
}

function elementName(node: XmlNode): string | undefined {
  return Object.keys(node).find((k) => k !== ':@' && !k.startsWith('#') && !k.startsWith('?'));
}

/** Resolves an element's namespace declarations and name; returns its XML children. */
function openElement(node: XmlNode, outer: Scope): { element: WbxmlElement; scope: Scope; binary: boolean; children: XmlNode[] } {
  const qname = elementName(node)!;
  const scope = new Map(outer);
  for (const [attr, value] of Object.entries((node[':@'] ?? {}) as Record<string, unknown>)) {
    if (attr === 'xmlns') scope.set('', pageOfUri(String(value)));
    else if (attr.startsWith('xmlns:')) scope.set(attr.slice(6), pageOfUri(String(value)));
    else badXml(`attribute '${attr}' on <${qname}>: ActiveSync XML has no attributes`);
  }
  const colon = qname.indexOf(':');
  const prefix = colon < 0 ? '' : qname.slice(0, colon);
  const local = qname.slice(colon + 1);
  const page = scope.get(prefix) ?? badXml(prefix === '' ? `<${qname}> has no namespace (add xmlns="Ns:")` : `prefix '${prefix}' of <${qname}> is not declared`);
  const token = page.tokens.get(local) ?? page.libwbxmlTokens.get(local) ?? badXml(`code page ${page.ns} has no tag '${local}'`);
  const element: WbxmlElement = { ns: page.ns, name: page.names[token]!, children: [] };
  return { element, scope, binary: page.binary.has(token), children: (node[qname] ?? []) as XmlNode[] };
}

async function readInput(file: string, stdin: NodeJS.ReadableStream): Promise<Buffer> {
  if (file !== '-') return readFile(file);
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** Runs `easgate wbxml …`; returns the exit code (0 done, 1 bad input, 2 usage). */
export async function runWbxmlCommand(args: string[], io: Io): Promise<number> {
  const [action, file, ...extra] = args;
  if (action === 'help' || action === '--help' || action === '-h') {
    io.stdout.write(USAGE);
    return 0;
  }
  if ((action !== 'decode' && action !== 'encode') || file === undefined || extra.length > 0) {
    io.stderr.write(USAGE);
    return 2;
  }
  let input: Buffer;
  try {
    input = await readInput(file, io.stdin);
  } catch (err) {
    io.stderr.write(`easgate wbxml: cannot read ${file}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
  try {
    io.stdout.write(action === 'decode' ? treeToXml(decode(input)) : encode(xmlToTree(input.toString('utf8'))));
    return 0;
  } catch (err) {
    const detail = err instanceof WbxmlError ? `${err.code}: ${err.message}` : `internal error: ${err instanceof Error ? err.message : String(err)}`;
    io.stderr.write(`easgate wbxml ${action}: ${detail}\n`);
    return 1;
  }
}

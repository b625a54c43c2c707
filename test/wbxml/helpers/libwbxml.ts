import { execFileSync } from 'node:child_process';
import { XMLParser } from 'fast-xml-parser';
import { pageByNs } from '../../../src/wbxml/index.js';
import type { WbxmlElement } from '../../../src/wbxml/index.js';
import { requireTool } from '../../helpers/tools.js';

/**
 * The oracle: Debian's libwbxml (package libwbxml2-utils 0.11.8). Tests call the real
 * binary; when it is missing they fail, they never skip.
 */
export const WBXML2XML = 'wbxml2xml';

/** A document as compared between libwbxml and us: names, namespaces and merged text. */
export interface Doc {
  ns: string;
  name: string;
  children: (Doc | string)[];
}

/** Runs `wbxml2xml -l ACTIVESYNC`, compact output, keeping whitespace. Throws when libwbxml fails. */
export function wbxml2xml(bytes: Uint8Array): string {
  requireTool(WBXML2XML);
  return execFileSync(WBXML2XML, ['-k', '-l', 'ACTIVESYNC', '-m', '0', '-o', '-', '-'], {
    input: bytes,
    stdio: ['pipe', 'pipe', 'pipe'],
  }).toString('utf8');
}

const parser = new XMLParser({
  preserveOrder: true, ignoreAttributes: false, attributeNamePrefix: '', trimValues: false, parseTagValue: false,
  processEntities: true, htmlEntities: false, ignoreDeclaration: true,
});

type XmlNode = Record<string, unknown>;

function pushText(children: (Doc | string)[], text: string): void {
  if (text === '') return;
  const last = children[children.length - 1];
  if (typeof last === 'string') children[children.length - 1] = last + text;
  else children.push(text);
}

/** Reads wbxml2xml's XML into a Doc: each element's namespace from its (inherited) default xmlns. */
export function parseLibwbxmlXml(xml: string): Doc {
  const top = parser.parse(xml) as XmlNode[];
  const root = top.find((n) => elementKey(n) !== undefined);
  if (root === undefined) throw new Error(`no root element in: ${xml}`);
  return toDoc(root, '');
}

function elementKey(node: XmlNode): string | undefined {
  return Object.keys(node).find((k) => k !== ':@' && !k.startsWith('#') && !k.startsWith('?'));
}

// Test-side recursion is fine: these documents are small and trusted.
function toDoc(node: XmlNode, parentNs: string): Doc {
  const name = elementKey(node)!;
  const attrs = (node[':@'] ?? {}) as Record<string, string>;
  const ns = attrs.xmlns === undefined ? parentNs : attrs.xmlns.replace(/:$/, '');
  const doc: Doc = { ns, name, children: [] };
  for (const kid of node[name] as XmlNode[]) {
    if ('#text' in kid) pushText(doc.children, String(kid['#text']));
    else if (elementKey(kid) !== undefined) doc.children.push(toDoc(kid, ns));
  }
  return doc;
}

/**
 * Our tree as libwbxml shows it: libwbxml's tag names where they differ ('unknown' for
 * tokens it lacks), its namespace names, the content of binary elements (strings and opaque
 * alike) as base64, other opaque data as its UTF-8 text, adjacent strings merged.
 */
export function libwbxmlView(element: WbxmlElement): Doc {
  const page = pageByNs(element.ns)!;
  const token = page.tokens.get(element.name)!;
  const libName = page.libwbxmlNames.has(token) ? page.libwbxmlNames.get(token) : element.name;
  const doc: Doc = { ns: page.libwbxmlNs ?? '?', name: libName ?? 'unknown', children: [] };
  for (const child of element.children) {
    if (typeof child === 'string' || child instanceof Uint8Array) {
      const bytes = typeof child === 'string' ? Buffer.from(child, 'utf8') : Buffer.from(child);
      pushText(doc.children, bytes.toString(page.binary.has(token) ? 'base64' : 'utf8'));
    }
    else doc.children.push(libwbxmlView(child));
  }
  return doc;
}

/** Drops the namespace of elements libwbxml calls 'unknown' (it prints an unrelated one). */
export function withoutUnknownNs(doc: Doc): Doc {
  return {
    ns: doc.name === 'unknown' ? '?' : doc.ns,
    name: doc.name,
    children: doc.children.map((c) => (typeof c === 'string' ? c : withoutUnknownNs(c))),
  };
}

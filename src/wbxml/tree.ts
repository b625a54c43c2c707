import { splitQName, tagToken } from './code-pages.js';

/**
 * A node of the decoded tree. `ns` is the code page's namespace name ('AirSync',
 * 'Provision', 'Settings', ...), `name` the tag name as MS-ASWBXML spells it.
 * Children keep the document order; each inline string (STR_I / STR_T) is its own string
 * child and each OPAQUE its own Uint8Array child, so that encode(decode(x)) gives x back.
 */
export interface WbxmlElement {
  ns: string;
  name: string;
  children: WbxmlNode[];
}

export type WbxmlNode = WbxmlElement | string | Uint8Array;

export function isElement(node: WbxmlNode | undefined): node is WbxmlElement {
  return typeof node === 'object' && node !== null && !(node instanceof Uint8Array);
}

/**
 * Builds an element. `qname` is 'Ns:Name' ('Provision:Status') or a bare 'Name', which
 * takes the namespace of the nearest qualified ancestor once it is attached to one:
 * `el('Provision:Provision', el('Status', '1'))` puts Status on the Provision page, and
 * `el('Provision:Provision', el('Settings:DeviceInformation', el('Set')))` puts Set on the
 * Settings page. Array arguments are spread. An unknown 'Ns:Name' throws
 * WbxmlError(EASGATE_ERR_WBXML_INVALID_TREE) at once; a bare name is checked when it is
 * resolved, and one never resolved makes encode() throw.
 */
export function el(qname: string, ...children: (WbxmlNode | readonly WbxmlNode[])[]): WbxmlElement {
  const { ns, name } = splitQName(qname);
  if (ns !== '') tagToken(ns, name);
  const flat: WbxmlNode[] = [];
  for (const child of children) {
    if (Array.isArray(child)) flat.push(...(child as readonly WbxmlNode[]));
    else flat.push(child as WbxmlNode);
  }
  const element: WbxmlElement = { ns, name, children: flat };
  if (ns !== '') resolvePending(element);
  return element;
}

/** Gives every bare-named descendant (and theirs, iteratively) the namespace of `root`. */
function resolvePending(root: WbxmlElement): void {
  const stack: WbxmlElement[] = [root];
  for (let parent = stack.pop(); parent !== undefined; parent = stack.pop()) {
    for (const child of parent.children) {
      if (!isElement(child) || child.ns !== '') continue;
      tagToken(parent.ns, child.name);
      child.ns = parent.ns;
      stack.push(child);
    }
  }
}

/** The concatenated string children of an element (opaque and element children skipped). */
export function textOf(element: WbxmlElement): string {
  let text = '';
  for (const child of element.children) if (typeof child === 'string') text += child;
  return text;
}

/** The element children named `name` (and, when given, in namespace `ns`). */
export function childrenNamed(element: WbxmlElement, name: string, ns?: string): WbxmlElement[] {
  const found: WbxmlElement[] = [];
  for (const child of element.children) {
    if (isElement(child) && child.name === name && (ns === undefined || child.ns === ns)) found.push(child);
  }
  return found;
}

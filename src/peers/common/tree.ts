/**
 * Conveniences over the codec's tree (src/wbxml): a per-code-page builder that skips
 * absent children, and lookups that accept a missing element. Used by both test peers.
 */
import { childrenNamed as namedChildren, el, isElement, textOf as textOfElement, type WbxmlElement, type WbxmlNode } from '../../wbxml/index.js';

export type { WbxmlElement, WbxmlNode };

export type Child = WbxmlNode | readonly Child[] | undefined | null | false;

function flatten(children: readonly Child[], out: WbxmlNode[] = []): WbxmlNode[] {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) flatten(c as readonly Child[], out);
    else out.push(c as WbxmlNode);
  }
  return out;
}

/**
 * A builder for one code page: `const a = page('AirSync'); a('Status', '1')`. Absent
 * children (`undefined`, `null`, `false`) are skipped; arrays are flattened. Tag names are
 * checked by the codec's `el`.
 */
export function page(ns: string): (name: string, ...children: Child[]) => WbxmlElement {
  return (name, ...children) => el(`${ns}:${name}`, flatten(children));
}

export function childrenNamed(parent: WbxmlElement | undefined, name: string, ns?: string): WbxmlElement[] {
  return parent === undefined ? [] : namedChildren(parent, name, ns);
}

/** The element children of `parent`, in order. */
export function elements(parent: WbxmlElement | undefined): WbxmlElement[] {
  return parent === undefined ? [] : parent.children.filter(isElement);
}

export function child(parent: WbxmlElement | undefined, name: string, ns?: string): WbxmlElement | undefined {
  return childrenNamed(parent, name, ns)[0];
}

/** Follows a path of child names: `descend(doc, 'Policies', 'Policy')`. */
export function descend(root: WbxmlElement | undefined, ...names: string[]): WbxmlElement | undefined {
  let at = root;
  for (const n of names) at = child(at, n);
  return at;
}

export function textOf(e: WbxmlElement | undefined): string | undefined {
  return e === undefined ? undefined : textOfElement(e);
}

export function childText(parent: WbxmlElement | undefined, name: string, ns?: string): string | undefined {
  return textOf(child(parent, name, ns));
}

/** The bytes of an element: opaque data as is, text as UTF-8. */
export function bytesOf(e: WbxmlElement | undefined): Buffer | undefined {
  if (e === undefined) return undefined;
  const parts = e.children.map((c) =>
    typeof c === 'string' ? Buffer.from(c, 'utf8') : c instanceof Uint8Array ? Buffer.from(c.buffer, c.byteOffset, c.byteLength) : Buffer.alloc(0),
  );
  return Buffer.concat(parts);
}

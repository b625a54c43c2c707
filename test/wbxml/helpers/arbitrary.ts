import fc from 'fast-check';
import { CODE_PAGES, type WbxmlElement, type WbxmlNode } from '../../../src/wbxml/index.js';

interface Tag {
  ns: string;
  name: string;
  binary: boolean;
}

function allTags(libwbxmlSafe: boolean): Tag[] {
  const tags: Tag[] = [];
  for (const page of CODE_PAGES) {
    if (page === undefined || (libwbxmlSafe && page.libwbxmlNs === null)) continue;
    page.names.forEach((name, token) => {
      if (name === undefined || (libwbxmlSafe && page.libwbxmlNames.get(token) === null)) return;
      tags.push({ ns: page.ns, name, binary: page.binary.has(token) });
    });
  }
  return tags;
}

/**
 * Random ActiveSync trees over every declared tag. With `libwbxmlSafe`, only what
 * wbxml2xml can print as well-formed XML: tags it knows, text without control characters
 * and CR, opaque data only in binary elements (whose content it prints as base64), which
 * hold one string or opaque child and no elements.
 */
export function arbitraryDocument(options: { libwbxmlSafe: boolean; maxDepth?: number }): fc.Arbitrary<WbxmlElement> {
  const { libwbxmlSafe } = options;
  const tag = fc.constantFrom(...allTags(libwbxmlSafe));
  const unsafe = libwbxmlSafe ? /[\u0000-\u0008\u000b-\u001f]/ : /\u0000/;
  const text = fc.string({ unit: 'grapheme', maxLength: 12 }).filter((s) => !unsafe.test(s));
  const bytes = fc.uint8Array({ maxLength: 12 });
  const { element } = fc.letrec<{ element: WbxmlElement; child: WbxmlNode }>((tie) => ({
    element: fc
      .tuple(tag, fc.array(tie('child'), { maxLength: 4 }))
      .map(([t, children]) => ({
        ns: t.ns,
        name: t.name,
        // libwbxml prints a binary element's content as base64 chunk by chunk: keep one chunk, no elements.
        children: !libwbxmlSafe ? children : t.binary ? children.filter((c) => typeof c === 'string' || c instanceof Uint8Array).slice(0, 1) : children.filter((c) => !(c instanceof Uint8Array)),
      })),
    child: fc.oneof({ maxDepth: options.maxDepth ?? 4, depthIdentifier: 'tree' }, text, bytes, tie('element')),
  }));
  return element;
}

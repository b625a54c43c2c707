import { Buffer } from 'node:buffer';
import { tagToken } from './code-pages.js';
import { WbxmlError } from './errors.js';
import { isElement, type WbxmlElement, type WbxmlNode } from './tree.js';

// [MS-ASWBXML] 2.1.1: version 1.3, public id 1 (unknown), charset 106 (UTF-8), no string table.
const HEADER = Uint8Array.of(0x03, 0x01, 0x6a, 0x00);
/** Far deeper than any ActiveSync document; stops a tree that contains itself. */
const MAX_ENCODE_DEPTH = 1024;

class Writer {
  bytes = Buffer.allocUnsafe(256);
  length = 0;
  /** The code page the decoder will be on: every document starts on page 0. */
  page = 0;

  private reserve(extra: number): void {
    if (this.length + extra <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < this.length + extra) size *= 2;
    const grown = Buffer.allocUnsafe(size);
    this.bytes.copy(grown, 0, 0, this.length);
    this.bytes = grown;
  }

  byte(value: number): void {
    this.reserve(1);
    this.bytes[this.length++] = value;
  }

  mbU32(value: number): void {
    // 7 bits a byte, most significant group first, high bit on all but the last.
    let shift = 28;
    while (shift > 0 && value >>> shift === 0) shift -= 7;
    for (; shift > 0; shift -= 7) this.byte(((value >>> shift) & 0x7f) | 0x80);
    this.byte(value & 0x7f);
  }

  raw(data: Uint8Array): void {
    this.reserve(data.length);
    this.bytes.set(data, this.length);
    this.length += data.length;
  }

  utf8(text: string): void {
    this.reserve(text.length * 3);
    this.length += this.bytes.write(text, this.length, 'utf8');
  }

  /** A tag, after a SWITCH_PAGE when its page is not the current one. */
  startTag(element: WbxmlElement): void {
    const tag = tagToken(element.ns, element.name);
    if (tag.page.id !== this.page) {
      this.byte(0x00);
      this.byte(tag.page.id);
      this.page = tag.page.id;
    }
    this.byte(element.children.length > 0 ? tag.token | 0x40 : tag.token);
  }
}

interface Frame {
  readonly element: WbxmlElement;
  next: number;
}

/**
 * Encodes a tree the way devices expect it: header 03 01 6A 00, no string table, a
 * SWITCH_PAGE only where the page changes, the content bit only on elements with children,
 * each string child as STR_I and each Uint8Array child as OPAQUE. Throws
 * WbxmlError(EASGATE_ERR_WBXML_INVALID_TREE) for an unknown namespace or tag, a NUL in a
 * string, or a child that is none of element, string and Uint8Array.
 */
export function encode(root: WbxmlElement): Buffer {
  if (!isElement(root) || !Array.isArray(root.children)) throw new WbxmlError('EASGATE_ERR_WBXML_INVALID_TREE', 'the root must be an element');
  const out = new Writer();
  out.raw(HEADER);
  out.startTag(root);
  const stack: Frame[] = root.children.length > 0 ? [{ element: root, next: 0 }] : [];
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    if (frame.next === frame.element.children.length) {
      out.byte(0x01);
      stack.pop();
      continue;
    }
    const child: WbxmlNode | undefined = frame.element.children[frame.next++];
    if (typeof child === 'string') {
      if (child.includes('\0')) throw new WbxmlError('EASGATE_ERR_WBXML_INVALID_TREE', `text in ${frame.element.name} contains NUL, which STR_I cannot carry`);
      out.byte(0x03);
      out.utf8(child);
      out.byte(0x00);
    } else if (child instanceof Uint8Array) {
      out.byte(0xc3);
      out.mbU32(child.length);
      out.raw(child);
    } else if (isElement(child) && Array.isArray(child.children)) {
      out.startTag(child);
      if (child.children.length === 0) continue;
      if (stack.length >= MAX_ENCODE_DEPTH) throw new WbxmlError('EASGATE_ERR_WBXML_INVALID_TREE', `tree deeper than ${MAX_ENCODE_DEPTH} (does it contain itself?)`);
      stack.push({ element: child, next: 0 });
    } else {
      throw new WbxmlError('EASGATE_ERR_WBXML_INVALID_TREE', `a child of ${frame.element.name} is not an element, string or Uint8Array`);
    }
  }
  return out.bytes.subarray(0, out.length);
}

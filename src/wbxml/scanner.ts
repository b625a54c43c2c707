import { CODE_PAGES, type CodePage } from './code-pages.js';
import { WbxmlError } from './errors.js';
import { resolveLimits, type DecodeLimits } from './limits.js';

/**
 * The streaming token reader under decode() and extractPaths(): one pass over the bytes,
 * no recursion, no allocation of its own, every structural rule and every limit checked
 * here, so that both readers fail on exactly the same inputs.
 */
export interface WbxmlVisitor {
  /** An element starts. For an element without content, end() follows at once. */
  start(page: CodePage, token: number): void;
  end(): void;
  /** A string: input bytes [start, end), UTF-8, without its NUL; `fromTable` for STR_T. */
  text(start: number, end: number, fromTable: boolean): void;
  /** OPAQUE data: input bytes [start, end). */
  opaque(start: number, end: number): void;
}

// WBXML 1.3 §7.1 global tokens.
const SWITCH_PAGE = 0x00;
const END = 0x01;
const STR_I = 0x03;
const STR_T = 0x83;
const OPAQUE = 0xc3;
const UNSUPPORTED_GLOBALS: Readonly<Record<number, string>> = {
  0x02: 'ENTITY', 0x04: 'LITERAL', 0x40: 'EXT_I_0', 0x41: 'EXT_I_1', 0x42: 'EXT_I_2', 0x43: 'PI',
  0x44: 'LITERAL_C', 0x80: 'EXT_T_0', 0x81: 'EXT_T_1', 0x82: 'EXT_T_2', 0x84: 'LITERAL_A', 0xc0: 'EXT_0',
  0xc1: 'EXT_1', 0xc2: 'EXT_2', 0xc4: 'LITERAL_AC',
};
// IANA MIBenum: 106 UTF-8, 3 US-ASCII (a subset), 0 "unknown" (taken as UTF-8).
const CHARSETS = new Set([0, 3, 106]);

function fail(code: 'TRUNCATED' | 'MALFORMED' | 'UNSUPPORTED' | 'LIMIT', detail: string, offset: number): never {
  throw new WbxmlError(`EASGATE_ERR_WBXML_${code}`, detail, offset);
}

/** Where the last readMbU32 stopped (module state: the scanner never re-enters). */
let mbEnd = 0;

/** A WBXML mb_u_int32 (7 bits a byte, high bit "more follows", at most 32 bits) at `pos`. */
function readMbU32(buf: Uint8Array, pos: number, what: string): number {
  let value = 0;
  for (let i = 0; i < 5; i++) {
    if (pos + i >= buf.length) fail('TRUNCATED', `input ends inside ${what}`, pos);
    const byte = buf[pos + i]!;
    if (i === 4 && (byte & 0x80) !== 0) break;
    value = value * 128 + (byte & 0x7f);
    if ((byte & 0x80) === 0) {
      if (value > 0xffffffff) break;
      mbEnd = pos + i + 1;
      return value;
    }
  }
  return fail('MALFORMED', `${what} is not a 32-bit mb_u_int32`, pos);
}

/** Reads the header ([MS-ASWBXML] 2.1.1; WBXML 1.3 §5.3–5.8); returns the string table bounds. */
function readHeader(buf: Uint8Array, limits: DecodeLimits): { tableStart: number; tableEnd: number } {
  if (buf.length === 0) fail('TRUNCATED', 'input is empty', 0);
  const version = buf[0]!;
  // 1.1–1.3 share this layout; 1.0 had no charset field.
  if (version < 0x01 || version > 0x03) fail('UNSUPPORTED', `WBXML version byte 0x${version.toString(16)} is not 1.1–1.3`, 0);
  const publicId = readMbU32(buf, 1, 'the public identifier');
  // Public id 0: "a string-table index follows" (WBXML 1.3 §5.5); libwbxml writes this form.
  const publicIdIndex = publicId === 0 ? readMbU32(buf, mbEnd, 'the public identifier index') : -1;
  const charsetAt = mbEnd;
  const charset = readMbU32(buf, charsetAt, 'the charset');
  if (!CHARSETS.has(charset)) fail('UNSUPPORTED', `charset ${charset} is not UTF-8`, charsetAt);
  const lengthAt = mbEnd;
  const tableLength = readMbU32(buf, lengthAt, 'the string table length');
  const tableStart = mbEnd;
  if (tableLength > limits.maxStringTableLength) fail('LIMIT', `string table of ${tableLength} bytes`, lengthAt);
  if (tableStart + tableLength > buf.length) fail('TRUNCATED', 'input ends inside the string table', tableStart);
  if (publicIdIndex >= tableLength) fail('MALFORMED', 'public identifier index is outside the string table', 1);
  return { tableStart, tableEnd: tableStart + tableLength };
}

/** The index of the first NUL in buf[from, to), or -1: a plain loop for short strings, indexOf beyond. */
function findNul(buf: Uint8Array, from: number, to: number): number {
  const near = Math.min(to, from + 32);
  for (let i = from; i < near; i++) if (buf[i] === 0) return i;
  if (near === to) return -1;
  const at = buf.indexOf(0, near);
  return at < 0 || at >= to ? -1 : at;
}

/** Scans a whole document, calling `visitor` for each element, END, string and opaque. */
export function scan(buf: Uint8Array, visitor: WbxmlVisitor, overrides?: Partial<DecodeLimits>): void {
  if (!(buf instanceof Uint8Array)) throw new WbxmlError('EASGATE_ERR_WBXML_MALFORMED', 'input is not a Uint8Array');
  const limits = resolveLimits(overrides);
  const { maxDepth, maxTokens, maxStringLength, maxOpaqueLength, maxTotalTextLength } = limits;
  const { tableStart, tableEnd } = readHeader(buf, limits);
  const length = buf.length;
  let pos = tableEnd;
  let page: CodePage = CODE_PAGES[0]!;
  let depth = 0;
  let tokens = 0;
  let textTotal = 0;
  let rootSeen = false;
  while (pos < length) {
    const byte = buf[pos]!;
    if (rootSeen && depth === 0) fail('MALFORMED', 'data after the root element', pos);
    if (++tokens > maxTokens) fail('LIMIT', `more than ${maxTokens} tokens`, pos);
    // A tag ([MS-ASWBXML] 2.1.2): low 6 bits the token (0x05–0x3F), bit 0x40 "content
    // follows", bit 0x80 "attributes follow" (never used by EAS, rejected below).
    const token = byte & 0x3f;
    if (byte < 0x80 && token >= 0x05) {
      if (page.names[token] === undefined) {
        throw new WbxmlError('EASGATE_ERR_WBXML_UNKNOWN_TOKEN', `code page ${page.ns} (${page.id}) has no tag 0x${token.toString(16)}`, pos);
      }
      if (depth >= maxDepth) fail('LIMIT', `elements nested deeper than ${maxDepth}`, pos);
      rootSeen = true;
      visitor.start(page, token);
      if (byte >= 0x40) depth++;
      else visitor.end();
      pos++;
    } else if (byte === END) {
      if (depth === 0) fail('MALFORMED', 'END without an open element', pos);
      depth--;
      visitor.end();
      pos++;
    } else if (byte === STR_I || byte === STR_T) {
      if (depth === 0) fail('MALFORMED', 'content outside the root element', pos);
      let start: number;
      let end: number;
      if (byte === STR_I) {
        start = pos + 1;
        end = findNul(buf, start, length);
        if (end < 0) fail('TRUNCATED', 'input ends inside an inline string', pos);
        pos = end + 1;
      } else {
        const index = readMbU32(buf, pos + 1, 'a string-table reference');
        if (index >= tableEnd - tableStart) fail('MALFORMED', 'string-table reference is outside the string table', pos);
        start = tableStart + index;
        end = findNul(buf, start, tableEnd);
        if (end < 0) fail('MALFORMED', 'string-table entry has no NUL', pos);
        pos = mbEnd;
      }
      if (end - start > maxStringLength) fail('LIMIT', `string of ${end - start} bytes`, pos);
      textTotal += end - start;
      if (textTotal > maxTotalTextLength) fail('LIMIT', `more than ${maxTotalTextLength} bytes of text`, pos);
      visitor.text(start, end, byte === STR_T);
    } else if (byte === OPAQUE) {
      if (depth === 0) fail('MALFORMED', 'content outside the root element', pos);
      const size = readMbU32(buf, pos + 1, 'an OPAQUE length');
      if (size > maxOpaqueLength) fail('LIMIT', `OPAQUE of ${size} bytes`, pos);
      const start = mbEnd;
      if (start + size > length) fail('TRUNCATED', 'input ends inside OPAQUE data', pos);
      visitor.opaque(start, start + size);
      pos = start + size;
    } else if (byte === SWITCH_PAGE) {
      if (pos + 1 >= length) fail('TRUNCATED', 'input ends inside SWITCH_PAGE', pos);
      const next = CODE_PAGES[buf[pos + 1]!];
      if (next === undefined) throw new WbxmlError('EASGATE_ERR_WBXML_UNKNOWN_PAGE', `code page ${buf[pos + 1]!} is not an ActiveSync code page`, pos);
      page = next;
      pos += 2;
    } else {
      const name = UNSUPPORTED_GLOBALS[byte];
      fail('UNSUPPORTED', name !== undefined ? `global token ${name} is not used by ActiveSync` : `tag 0x${byte.toString(16)} has attributes, which ActiveSync never uses`, pos);
    }
  }
  if (!rootSeen) fail('TRUNCATED', 'input ends before the root element', pos);
  if (depth > 0) fail('TRUNCATED', `input ends inside ${depth} open element(s)`, pos);
}

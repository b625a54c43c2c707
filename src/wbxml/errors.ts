/**
 * The codec's error codes, in one table. docs/wbxml.md lists the same codes; a test fails
 * when the two drift apart. Nothing but a WbxmlError ever leaves the codec: callers match
 * on `code`, never on the message.
 */
export const WBXML_ERRORS = {
  EASGATE_ERR_WBXML_TRUNCATED: 'The input ends before the document is complete',
  EASGATE_ERR_WBXML_MALFORMED: 'The input breaks the WBXML grammar (bad multi-byte integer, END without an element, data after the root, bad string-table reference)',
  EASGATE_ERR_WBXML_UNKNOWN_PAGE: 'SWITCH_PAGE names a code page that ActiveSync does not define',
  EASGATE_ERR_WBXML_UNKNOWN_TOKEN: 'A tag token that the current code page does not define',
  EASGATE_ERR_WBXML_UNSUPPORTED: 'WBXML that ActiveSync does not use: attributes, ENTITY, LITERAL, EXT, PI, another version or charset',
  EASGATE_ERR_WBXML_LIMIT: 'A decode limit was exceeded (depth, string, opaque or string-table length, token count, total text)',
  EASGATE_ERR_WBXML_INVALID_TREE: 'The encoder was given a tree it cannot write (unknown namespace or tag, NUL in text, no namespace)',
  EASGATE_ERR_WBXML_BAD_XML: 'The XML given to `easgate wbxml encode` is not well-formed or not ActiveSync XML',
} as const;

export type WbxmlErrorCode = keyof typeof WBXML_ERRORS;

export class WbxmlError extends Error {
  readonly code: WbxmlErrorCode;
  /** Byte offset in the input where the problem was found; -1 when there is no input offset. */
  readonly offset: number;

  constructor(code: WbxmlErrorCode, detail: string, offset = -1) {
    super(offset >= 0 ? `${detail} (at byte ${offset})` : detail);
    this.name = 'WbxmlError';
    this.code = code;
    this.offset = offset;
  }
}

export { CODE_PAGES, pageByNs, tagToken, type CodePage } from './code-pages.js';
export { decode } from './decode.js';
export { encode } from './encode.js';
export { WbxmlError, WBXML_ERRORS, type WbxmlErrorCode } from './errors.js';
export { compilePaths, extractPaths, type PathSet } from './extract.js';
export { DEFAULT_LIMITS, type DecodeLimits } from './limits.js';
export { scan, type WbxmlVisitor } from './scanner.js';
export { childrenNamed, el, isElement, textOf, type WbxmlElement, type WbxmlNode } from './tree.js';

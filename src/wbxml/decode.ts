import type { CodePage } from './code-pages.js';
import type { DecodeLimits } from './limits.js';
import { scan, type WbxmlVisitor } from './scanner.js';
import { decodeUtf8 } from './text.js';
import type { WbxmlElement } from './tree.js';

/** Builds the tree from the scanner's events, with an explicit stack. */
class TreeBuilder implements WbxmlVisitor {
  root: WbxmlElement | undefined;
  private readonly stack: WbxmlElement[] = [];
  // A string-table entry referenced many times decodes once: no memory amplification.
  private readonly tableStrings = new Map<number, string>();

  constructor(private readonly buf: Uint8Array) {}

  start(page: CodePage, token: number): void {
    const element: WbxmlElement = { ns: page.ns, name: page.names[token]!, children: [] };
    const parent = this.stack[this.stack.length - 1];
    if (parent === undefined) this.root = element;
    else parent.children.push(element);
    this.stack.push(element);
  }

  end(): void {
    this.stack.pop();
  }

  text(start: number, end: number, fromTable: boolean): void {
    let text: string | undefined;
    if (fromTable) {
      text = this.tableStrings.get(start);
      if (text === undefined) this.tableStrings.set(start, (text = decodeUtf8(this.buf, start, end)));
    } else {
      text = decodeUtf8(this.buf, start, end);
    }
    this.stack[this.stack.length - 1]!.children.push(text);
  }

  opaque(start: number, end: number): void {
    // A plain Uint8Array copy (Buffer#slice would be a view): the tree must not keep, or
    // change with, the caller's buffer.
    this.stack[this.stack.length - 1]!.children.push(new Uint8Array(this.buf.subarray(start, end)));
  }
}

/**
 * Decodes a WBXML document to its root element. Throws only WbxmlError: TRUNCATED when
 * the input is a prefix of a document, MALFORMED, UNKNOWN_PAGE, UNKNOWN_TOKEN,
 * UNSUPPORTED (attributes, ENTITY, LITERAL, EXT, PI) and LIMIT (see DecodeLimits).
 */
export function decode(buf: Uint8Array, limits?: Partial<DecodeLimits>): WbxmlElement {
  const builder = new TreeBuilder(buf);
  scan(buf, builder, limits);
  return builder.root!;
}

import { splitQName, tagToken, type CodePage } from './code-pages.js';
import { WbxmlError } from './errors.js';
import type { DecodeLimits } from './limits.js';
import { scan, type WbxmlVisitor } from './scanner.js';
import { decodeUtf8 } from './text.js';

/**
 * Targeted extraction for the hot path: the text of a few element paths, read in one scan
 * without building the tree. Strings outside the requested elements are skipped, never
 * decoded. The whole document is still checked, so extractPaths() throws exactly when
 * decode() would.
 *
 * A path names elements from the root, separated by '/'; each step is 'Ns:Name' or a bare
 * 'Name' in the namespace of the step before (the first step must be qualified):
 * 'Provision:Provision/Settings:DeviceInformation/Set/Model'.
 */
export interface PathSet {
  readonly paths: readonly string[];
}

interface TrieNode {
  readonly next: Map<number, number>;
  /** Indexes of the paths ending here. */
  readonly ends: number[];
}

interface CompiledPathSet extends PathSet {
  readonly nodes: readonly TrieNode[];
}

const key = (page: number, token: number): number => (page << 6) | token;

/** Compiles paths once (at module load, typically) for extractPaths(). */
export function compilePaths(paths: readonly string[]): PathSet {
  const nodes: TrieNode[] = [{ next: new Map(), ends: [] }];
  paths.forEach((path, index) => {
    let node = 0;
    let ns = '';
    for (const step of path.split('/')) {
      const parts = splitQName(step);
      if (parts.ns !== '') ns = parts.ns;
      if (ns === '') throw new WbxmlError('EASGATE_ERR_WBXML_INVALID_TREE', `path '${path}' must start with 'Ns:Name'`);
      const { page, token } = tagToken(ns, parts.name);
      const k = key(page.id, token);
      let child = nodes[node]!.next.get(k);
      if (child === undefined) {
        child = nodes.push({ next: new Map(), ends: [] }) - 1;
        nodes[node]!.next.set(k, child);
      }
      node = child;
    }
    nodes[node]!.ends.push(index);
  });
  const compiled: CompiledPathSet = { paths: Object.freeze([...paths]), nodes };
  return Object.freeze(compiled);
}

/** Follows the scan through the trie; -1 marks a subtree no path leads into. */
class PathMatcher implements WbxmlVisitor {
  readonly values: (string | undefined)[];
  private readonly stack: number[] = [];
  /** For each path: the depth of the element being captured, or -1. */
  private readonly capturing: number[];

  constructor(private readonly buf: Uint8Array, private readonly nodes: readonly TrieNode[], count: number) {
    this.values = new Array<string | undefined>(count).fill(undefined);
    this.capturing = new Array<number>(count).fill(-1);
  }

  start(page: CodePage, token: number): void {
    const parent = this.stack.length === 0 ? 0 : this.stack[this.stack.length - 1]!;
    const node = parent < 0 ? -1 : (this.nodes[parent]!.next.get(key(page.id, token)) ?? -1);
    this.stack.push(node);
    if (node < 0) return;
    // The first element on a path wins; later ones are ignored.
    for (const index of this.nodes[node]!.ends) {
      if (this.values[index] === undefined) {
        this.values[index] = '';
        this.capturing[index] = this.stack.length;
      }
    }
  }

  end(): void {
    const node = this.stack[this.stack.length - 1]!;
    if (node >= 0) for (const index of this.nodes[node]!.ends) if (this.capturing[index] === this.stack.length) this.capturing[index] = -1;
    this.stack.pop();
  }

  text(start: number, end: number): void {
    this.append(start, end);
  }

  /** Opaque content of a requested element is read as UTF-8 text. */
  opaque(start: number, end: number): void {
    this.append(start, end);
  }

  private append(start: number, end: number): void {
    const node = this.stack[this.stack.length - 1]!;
    if (node < 0) return;
    const ends = this.nodes[node]!.ends;
    if (ends.length === 0) return;
    const text = decodeUtf8(this.buf, start, end);
    for (const index of ends) if (this.capturing[index] === this.stack.length) this.values[index] += text;
  }
}

/**
 * The text of each path's first element ('' for an empty element), or undefined where the
 * document has no such element, in the order of `paths`. Throws only WbxmlError.
 */
export function extractPaths(buf: Uint8Array, paths: PathSet | readonly string[], limits?: Partial<DecodeLimits>): (string | undefined)[] {
  const compiled = (isPathSet(paths) ? paths : compilePaths(paths)) as CompiledPathSet;
  const matcher = new PathMatcher(buf, compiled.nodes, compiled.paths.length);
  scan(buf, matcher, limits);
  return matcher.values;
}

function isPathSet(paths: PathSet | readonly string[]): paths is PathSet {
  return !Array.isArray(paths) && 'nodes' in paths;
}

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

/** Follows the scan through the trie; node -1 marks a subtree no path leads into. */
class PathMatcher implements WbxmlVisitor {
  readonly values: (string | undefined)[];
  /** Node of the innermost open element, and the nodes of the elements around it. */
  private top = -1;
  private readonly outer: number[] = [];
  /** For each path: the depth of the element whose text is being collected, or -1. */
  private readonly capturing: number[];

  constructor(private readonly buf: Uint8Array, private readonly nodes: readonly TrieNode[], count: number) {
    // Filled by push: packed arrays, cheaper to make and read than new Array(n).fill().
    this.values = [];
    this.capturing = [];
    for (let i = 0; i < count; i++) {
      this.values.push(undefined);
      this.capturing.push(-1);
    }
  }

  start(page: CodePage, token: number): void {
    const parent = this.outer.length === 0 ? 0 : this.top;
    this.outer.push(this.top);
    const node = parent < 0 ? -1 : (this.nodes[parent]!.next.get(key(page.id, token)) ?? -1);
    this.top = node;
    if (node < 0) return;
    const ends = this.nodes[node]!.ends;
    // The first element on a path wins; later ones are ignored.
    for (let i = 0; i < ends.length; i++) {
      const index = ends[i]!;
      if (this.values[index] === undefined) {
        this.values[index] = '';
        this.capturing[index] = this.outer.length;
      }
    }
  }

  end(): void {
    if (this.top >= 0) {
      const ends = this.nodes[this.top]!.ends;
      for (let i = 0; i < ends.length; i++) if (this.capturing[ends[i]!] === this.outer.length) this.capturing[ends[i]!] = -1;
    }
    this.top = this.outer.pop()!;
  }

  text(start: number, end: number): void {
    if (this.top >= 0) this.append(start, end);
  }

  /** Opaque content of a requested element is read as UTF-8 text. */
  opaque(start: number, end: number): void {
    if (this.top >= 0) this.append(start, end);
  }

  private append(start: number, end: number): void {
    const ends = this.nodes[this.top]!.ends;
    let text: string | undefined;
    for (let i = 0; i < ends.length; i++) {
      const index = ends[i]!;
      if (this.capturing[index] !== this.outer.length) continue;
      text ??= decodeUtf8(this.buf, start, end);
      this.values[index] += text;
    }
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

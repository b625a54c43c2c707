import { CODE_PAGE_SPECS } from './code-page-data.js';
import { WbxmlError } from './errors.js';

/** One code page with both lookup directions, derived from code-page-data.ts. */
export interface CodePage {
  readonly id: number;
  readonly ns: string;
  /** Token (0x05–0x3F) → tag name; undefined where the page defines no tag. */
  readonly names: readonly (string | undefined)[];
  /** Tag name → token. */
  readonly tokens: ReadonlyMap<string, number>;
  /** Tokens whose content is binary (shown as base64 in XML). */
  readonly binary: ReadonlySet<number>;
  /** libwbxml 0.11.8's view of the page: its namespace name (null: page unknown to it). */
  readonly libwbxmlNs: string | null;
  /** Token → the name libwbxml prints, where it differs (null: libwbxml does not know the token). */
  readonly libwbxmlNames: ReadonlyMap<number, string | null>;
  /** libwbxml's differing name → token (the XML tool accepts these names too). */
  readonly libwbxmlTokens: ReadonlyMap<string, number>;
}

function build(): readonly (CodePage | undefined)[] {
  const pages: (CodePage | undefined)[] = [];
  for (const spec of CODE_PAGE_SPECS) {
    const names: (string | undefined)[] = new Array<string | undefined>(64).fill(undefined);
    const tokens = new Map<string, number>();
    for (const [key, name] of Object.entries(spec.tags)) {
      const token = Number(key);
      // Tag tokens are 6 bits; 0x00–0x04 are global tokens ([MS-ASWBXML] 2.1.2, WBXML 1.3 §7.1).
      if (!(token >= 0x05 && token <= 0x3f) || tokens.has(name)) throw new Error(`code page ${spec.id}: bad tag ${key} ${name}`);
      names[token] = name;
      tokens.set(name, token);
    }
    const libwbxmlNames = new Map<number, string | null>(
      Object.entries(spec.libwbxml ?? {}).map(([key, name]) => [Number(key), name]),
    );
    pages[spec.id] = Object.freeze({
      id: spec.id,
      ns: spec.ns,
      names: Object.freeze(names),
      tokens,
      binary: new Set(spec.binary ?? []),
      libwbxmlNs: spec.libwbxmlNs === undefined ? spec.ns : spec.libwbxmlNs,
      libwbxmlNames,
      libwbxmlTokens: new Map([...libwbxmlNames].flatMap(([token, name]) => (name === null ? [] : [[name, token] as const]))),
    });
  }
  return Object.freeze(pages);
}

/** Code pages indexed by page number (0–25). */
export const CODE_PAGES: readonly (CodePage | undefined)[] = build();

const byNs = new Map<string, CodePage>();
for (const page of CODE_PAGES) if (page !== undefined) byNs.set(page.ns, page);

/** The code page of a namespace name ('AirSync', 'Provision', ...), exact spelling. */
export function pageByNs(ns: string): CodePage | undefined {
  return byNs.get(ns);
}

/** Splits 'Ns:Name' into its parts; a name without a colon has ns ''. */
export function splitQName(qname: string): { ns: string; name: string } {
  const colon = qname.indexOf(':');
  return colon < 0 ? { ns: '', name: qname } : { ns: qname.slice(0, colon), name: qname.slice(colon + 1) };
}

/** The page and token of a tag, or a WbxmlError(INVALID_TREE) naming what is unknown. */
export function tagToken(ns: string, name: string): { page: CodePage; token: number } {
  const page = byNs.get(ns);
  if (page === undefined) {
    throw new WbxmlError('EASGATE_ERR_WBXML_INVALID_TREE', ns === '' ? `element '${name}' has no namespace (write 'Ns:${name}' on it or an ancestor)` : `unknown namespace '${ns}'`);
  }
  const token = page.tokens.get(name);
  if (token === undefined) throw new WbxmlError('EASGATE_ERR_WBXML_INVALID_TREE', `code page ${ns} has no tag '${name}'`);
  return { page, token };
}

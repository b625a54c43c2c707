import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** test/fixtures/wbxml: copies of the shared vectors (same names) plus the string-table documents. */
export const FIXTURE_DIR = fileURLToPath(new URL('../../fixtures/wbxml/', import.meta.url));

export const WBXML_FIXTURES: readonly string[] = readdirSync(FIXTURE_DIR).filter((f) => f.endsWith('.wbxml')).sort();

/** Fixtures in the form devices use (03 01 6A 00, no string table): encode(decode(x)) must give x. */
export const EAS_FORM_FIXTURES: readonly string[] = WBXML_FIXTURES.filter((f) => !f.startsWith('xml2wbxml-strtab-'));

/** Fixtures with an XML source beside them (the input xml2wbxml encoded). */
export const XML_SOURCED_FIXTURES: readonly string[] = WBXML_FIXTURES.filter((f) => readdirSync(FIXTURE_DIR).includes(f.replace(/\.wbxml$/, '.xml')));

export function fixture(name: string): Buffer {
  return readFileSync(FIXTURE_DIR + name);
}

export function fixtureXml(name: string): string {
  return readFileSync(FIXTURE_DIR + name.replace(/\.wbxml$/, '.xml'), 'utf8');
}

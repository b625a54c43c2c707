import { describe, expect, it } from 'vitest';
import { decode, DEFAULT_LIMITS, WbxmlError } from '../../src/wbxml/index.js';
import { decodeError, doc, expectRejected } from './helpers/expect-code.js';
import { EAS_FORM_FIXTURES, fixture, WBXML_FIXTURES } from './helpers/fixtures.js';

// Page 0 (AirSync): Sync 0x05, Status 0x0E; +0x40 = has content. END 0x01, STR_I 0x03, OPAQUE 0xC3.
const SYNC = 0x45;
const STATUS = 0x4e;

describe('truncated input is TRUNCATED, at every byte', () => {
  it('rejects an empty body', () => {
    expectRejected(new Uint8Array(0), 'EASGATE_ERR_WBXML_TRUNCATED');
  });

  it.each(WBXML_FIXTURES)('every proper prefix of %s', (name) => {
    const bytes = fixture(name);
    for (let cut = 0; cut < bytes.length; cut++) expectRejected(bytes.subarray(0, cut), 'EASGATE_ERR_WBXML_TRUNCATED');
  });

  it('an unterminated inline string', () => {
    expectRejected(doc(SYNC, STATUS, 0x03, 0x31, 0x32), 'EASGATE_ERR_WBXML_TRUNCATED');
  });

  it('an OPAQUE shorter than its declared length', () => {
    expectRejected(doc(SYNC, STATUS, 0xc3, 0x05, 0x41, 0x42), 'EASGATE_ERR_WBXML_TRUNCATED');
  });

  it('a huge declared OPAQUE length allocates nothing: LIMIT by default, TRUNCATED when allowed', () => {
    const bytes = doc(SYNC, STATUS, 0xc3, 0x8f, 0xff, 0xff, 0xff, 0x7f, 0x41);
    expectRejected(bytes, 'EASGATE_ERR_WBXML_LIMIT');
    expectRejected(bytes, 'EASGATE_ERR_WBXML_TRUNCATED', { maxOpaqueLength: 0xffffffff });
  });

  it('a string table longer than the input', () => {
    expectRejected(Uint8Array.from([0x03, 0x01, 0x6a, 0x20, 0x41, 0x00]), 'EASGATE_ERR_WBXML_TRUNCATED');
  });
});

describe('malformed input is MALFORMED', () => {
  it.each([
    ['END before any element', doc(0x01)],
    ['text before the root', doc(0x03, 0x41, 0x00, SYNC, 0x01)],
    ['data after the root', doc(0x05, 0x05)],
    ['an END after the root closed', doc(SYNC, 0x01, 0x01)],
    ['a 6-byte mb_u_int32', doc(SYNC, STATUS, 0xc3, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01)],
    ['an mb_u_int32 above 32 bits', doc(SYNC, STATUS, 0xc3, 0x9f, 0xff, 0xff, 0xff, 0x7f)],
    ['a STR_T without a string table', doc(SYNC, STATUS, 0x83, 0x00, 0x01, 0x01)],
    ['a STR_T past the string table', Uint8Array.from([0x03, 0x01, 0x6a, 0x02, 0x41, 0x00, SYNC, STATUS, 0x83, 0x05, 0x01, 0x01])],
    ['a string-table entry without its NUL', Uint8Array.from([0x03, 0x01, 0x6a, 0x02, 0x41, 0x42, SYNC, STATUS, 0x83, 0x00, 0x01, 0x01])],
    ['a public id index outside the string table', Uint8Array.from([0x03, 0x00, 0x09, 0x6a, 0x00, 0x05])],
  ])('%s', (_what, bytes) => {
    expectRejected(bytes, 'EASGATE_ERR_WBXML_MALFORMED');
  });

  it('input that is not a Uint8Array', () => {
    for (const bad of ['03016a00', null, undefined, 42, {}, [3, 1, 0x6a, 0]]) {
      expect(() => decode(bad as unknown as Uint8Array)).toThrow(WbxmlError);
    }
  });
});

describe('unknown pages and tokens', () => {
  it.each([26, 0x7f, 0xff])('SWITCH_PAGE to page %i is UNKNOWN_PAGE', (page) => {
    expectRejected(doc(0x00, page, 0x05), 'EASGATE_ERR_WBXML_UNKNOWN_PAGE');
  });

  it.each([
    ['AirSync 0x3F', [0x3f]],
    ['AirSync 0x2A (first token after HeartbeatInterval)', [0x2a]],
    ['Find 0x0F', [0x00, 25, 0x0f]],
    ['AirSyncBase 0x09', [0x00, 17, 0x09]],
  ])('%s is UNKNOWN_TOKEN', (_what, body) => {
    const err = expectRejected(doc(...body), 'EASGATE_ERR_WBXML_UNKNOWN_TOKEN');
    expect(err.offset).toBe(4 + body.length - 1);
  });
});

describe('WBXML features ActiveSync never uses are UNSUPPORTED', () => {
  it.each([
    ['the attribute bit on a tag', 0x85],
    ['the attribute and content bits', 0xce],
    ['ENTITY', 0x02], ['LITERAL', 0x04], ['EXT_I_0', 0x40], ['PI', 0x43], ['LITERAL_C', 0x44],
    ['EXT_T_2', 0x82], ['LITERAL_A', 0x84], ['EXT_1', 0xc1], ['LITERAL_AC', 0xc4],
  ])('%s', (_what, byte) => {
    expectRejected(doc(SYNC, byte, 0x00, 0x00, 0x01), 'EASGATE_ERR_WBXML_UNSUPPORTED');
  });

  it('WBXML version 1.0 and versions above 1.3', () => {
    for (const version of [0x00, 0x04, 0x13]) expectRejected(Uint8Array.from([version, 0x01, 0x6a, 0x00, 0x05]), 'EASGATE_ERR_WBXML_UNSUPPORTED');
  });

  it('a charset other than UTF-8 (4 = ISO-8859-1)', () => {
    expectRejected(Uint8Array.from([0x03, 0x01, 0x04, 0x00, 0x05]), 'EASGATE_ERR_WBXML_UNSUPPORTED');
  });
});

describe('limits', () => {
  it('rejects nesting deeper than maxDepth (64 by default) without recursion', () => {
    const deep = new Uint8Array(4 + 100_000).fill(SYNC);
    deep.set([0x03, 0x01, 0x6a, 0x00]);
    const err = expectRejected(deep, 'EASGATE_ERR_WBXML_LIMIT');
    expect(err.offset).toBe(4 + DEFAULT_LIMITS.maxDepth);
  });

  it('decodes 100 000 levels when allowed: an explicit stack, no call-stack overflow', () => {
    const depth = 100_000;
    const bytes = new Uint8Array(4 + 2 * depth);
    bytes.set([0x03, 0x01, 0x6a, 0x00]);
    bytes.fill(SYNC, 4, 4 + depth);
    bytes.fill(0x01, 4 + depth);
    let node = decode(bytes, { maxDepth: depth });
    let levels = 1;
    while (node.children.length > 0) {
      node = node.children[0] as typeof node;
      levels++;
    }
    expect(levels).toBe(depth);
  });

  it('rejects a string longer than maxStringLength', () => {
    expectRejected(doc(SYNC, STATUS, 0x03, 0x41, 0x42, 0x43, 0x00, 0x01, 0x01), 'EASGATE_ERR_WBXML_LIMIT', { maxStringLength: 2 });
  });

  it('rejects a string table longer than maxStringTableLength', () => {
    expectRejected(Uint8Array.from([0x03, 0x01, 0x6a, 0x03, 0x41, 0x42, 0x00, 0x05]), 'EASGATE_ERR_WBXML_LIMIT', { maxStringTableLength: 2 });
  });

  it('counts every use of a string-table entry against maxTotalTextLength (no amplification)', () => {
    const refs = Array.from({ length: 100 }, () => [0x83, 0x00]).flat();
    const bytes = Uint8Array.from([0x03, 0x01, 0x6a, 0x0b, ...Buffer.from('0123456789'), 0x00, SYNC, STATUS, ...refs, 0x01, 0x01]);
    expect(decode(bytes).children).toHaveLength(1);
    expectRejected(bytes, 'EASGATE_ERR_WBXML_LIMIT', { maxTotalTextLength: 999 });
  });

  it('rejects more tokens than maxTokens', () => {
    expectRejected(doc(SYNC, 0x0e, 0x0e, 0x0e, 0x01), 'EASGATE_ERR_WBXML_LIMIT', { maxTokens: 3 });
  });

  it('refuses a limit that is not a non-negative integer', () => {
    for (const maxDepth of [-1, 1.5, Number.NaN, Infinity]) {
      expect(decodeError(doc(0x05), { maxDepth }).code).toBe('EASGATE_ERR_WBXML_LIMIT');
    }
  });
});

describe('a good document still decodes', () => {
  it.each(EAS_FORM_FIXTURES)('%s', (name) => {
    expect(decode(fixture(name)).ns).not.toBe('');
  });
});

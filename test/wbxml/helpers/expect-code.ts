import { expect } from 'vitest';
import { decode, extractPaths, WbxmlError, type DecodeLimits, type WbxmlErrorCode } from '../../../src/wbxml/index.js';

/** The error decode() throws for `bytes` (failing the test if it throws none or another kind). */
export function decodeError(bytes: Uint8Array, limits?: Partial<DecodeLimits>): WbxmlError {
  try {
    decode(bytes, limits);
  } catch (err) {
    expect(err).toBeInstanceOf(WbxmlError);
    return err as WbxmlError;
  }
  throw new Error('decode() accepted the input');
}

/** Asserts that decode() and extractPaths() both reject `bytes` with `code`. */
export function expectRejected(bytes: Uint8Array, code: WbxmlErrorCode, limits?: Partial<DecodeLimits>): WbxmlError {
  const err = decodeError(bytes, limits);
  expect(err.code, err.message).toBe(code);
  expect(() => extractPaths(bytes, ['AirSync:Sync/Status'], limits)).toThrow(expect.objectContaining({ code }) as Error);
  return err;
}

/** A document: the EAS header followed by `body`. */
export function doc(...body: number[]): Uint8Array {
  return Uint8Array.from([0x03, 0x01, 0x6a, 0x00, ...body]);
}

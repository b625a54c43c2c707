import { WbxmlError } from './errors.js';

/**
 * Caps that keep hostile input cheap. The input is already in memory, so every cap is about
 * amplification and work, not about reading past the end (that is always checked).
 */
export interface DecodeLimits {
  /** Nesting depth of elements, the root counting as 1. */
  maxDepth: number;
  /** Bytes of one inline string (STR_I) or string-table entry. */
  maxStringLength: number;
  /** Bytes of one OPAQUE. */
  maxOpaqueLength: number;
  /** Bytes of the string table. */
  maxStringTableLength: number;
  /** Tokens in the body (tags, END, strings, opaque, SWITCH_PAGE). */
  maxTokens: number;
  /** Bytes of all strings together; STR_T references count each time they are used. */
  maxTotalTextLength: number;
}

export const DEFAULT_LIMITS: Readonly<DecodeLimits> = Object.freeze({
  maxDepth: 64,
  maxStringLength: 1 << 20,
  maxOpaqueLength: 16 << 20,
  maxStringTableLength: 64 << 10,
  maxTokens: 250_000,
  maxTotalTextLength: 64 << 20,
});

/** DEFAULT_LIMITS overridden by `overrides`; each value must be a non-negative integer. */
export function resolveLimits(overrides: Partial<DecodeLimits> | undefined): Readonly<DecodeLimits> {
  if (overrides === undefined) return DEFAULT_LIMITS;
  const limits: DecodeLimits = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(DEFAULT_LIMITS) as (keyof DecodeLimits)[]) {
    const value = overrides[key];
    if (value === undefined) continue;
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new WbxmlError('EASGATE_ERR_WBXML_LIMIT', `limit ${key} must be a non-negative integer`);
    }
    limits[key] = value;
  }
  return limits;
}

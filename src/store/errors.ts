/** Error codes of the store area (the admin API maps BAD_QUERY and BAD_CURSOR to 400). */
export const STORE_ERRORS = {
  EASGATE_ERR_STORE_BAD_QUERY: 'An association or mailbox query names an unknown index or an out-of-range value',
  EASGATE_ERR_STORE_BAD_CURSOR: 'A pagination cursor is malformed or belongs to another query',
  EASGATE_ERR_STORE_BAD_CONFIG: 'The store options are inconsistent (e.g. an empty key prefix)',
} as const;

export type StoreErrorCode = keyof typeof STORE_ERRORS;

export class StoreError extends Error {
  readonly code: StoreErrorCode;
  constructor(code: StoreErrorCode, message?: string, options?: { cause?: unknown }) {
    super(message ?? STORE_ERRORS[code], options);
    this.name = 'StoreError';
    this.code = code;
  }
}

import { ERRORS, type ErrorCode } from '../errors.js';

export type ApiErrorCode = Extract<ErrorCode, `EASGATE_ERR_API_${string}`>;

/** An answer of the admin API: JSON `{ code, message, field? }` with the table's HTTP status. */
export class ApiError extends Error {
  readonly code: ApiErrorCode;
  readonly status: number;
  /** The path of the bad field (`license.total`, `users[3]`), for INVALID and UNKNOWN_FIELD. */
  readonly field: string | undefined;
  constructor(code: ApiErrorCode, message?: string, field?: string) {
    super(message ?? ERRORS[code].message);
    this.name = 'ApiError';
    this.code = code;
    this.status = ERRORS[code].status;
    this.field = field;
  }

  toJSON(): { code: string; message: string; field?: string } {
    return this.field === undefined ? { code: this.code, message: this.message } : { code: this.code, message: this.message, field: this.field };
  }
}

export function notFound(what: string): ApiError {
  return new ApiError('EASGATE_ERR_API_NOT_FOUND', `no such ${what}`);
}

export function invalid(field: string, expected: string): ApiError {
  return new ApiError('EASGATE_ERR_API_INVALID', `${field}: expected ${expected}`, field);
}

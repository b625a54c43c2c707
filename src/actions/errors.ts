import { ERRORS, type ErrorCode } from '../errors.js';

export type AdminErrorCode = Extract<ErrorCode, `EASGATE_ERR_API_${string}`>;

/**
 * A refusal of an admin operation: the table's code and HTTP status, a message, and the
 * path of the bad field (`license.total`, `users[3]`) for INVALID and UNKNOWN_FIELD. The
 * admin API answers it as JSON `{ code, message, field? }`; the backend sync counts it as refused.
 */
export class AdminError extends Error {
  readonly code: AdminErrorCode;
  readonly status: number;
  readonly field: string | undefined;
  constructor(code: AdminErrorCode, message?: string, field?: string) {
    super(message ?? ERRORS[code].message);
    this.name = 'AdminError';
    this.code = code;
    this.status = ERRORS[code].status;
    this.field = field;
  }

  toJSON(): { code: string; message: string; field?: string } {
    return this.field === undefined ? { code: this.code, message: this.message } : { code: this.code, message: this.message, field: this.field };
  }
}

export function notFound(what: string): AdminError {
  return new AdminError('EASGATE_ERR_API_NOT_FOUND', `no such ${what}`);
}

export function invalid(field: string, expected: string): AdminError {
  return new AdminError('EASGATE_ERR_API_INVALID', `${field}: expected ${expected}`, field);
}

export function conflict(message: string): AdminError {
  return new AdminError('EASGATE_ERR_API_CONFLICT', message);
}

export function licenseRefused(user: string): AdminError {
  return new AdminError('EASGATE_ERR_API_LICENSE_LIMIT', `${user}: every licensed user is in use; disable another user or extend the license first`);
}

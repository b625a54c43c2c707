import { GatewayError } from '../../errors.js';

export type BackendErrorCode =
  | 'EASGATE_ERR_SYNC_BACKEND_UNAVAILABLE'
  | 'EASGATE_ERR_SYNC_BACKEND_TIMEOUT'
  | 'EASGATE_ERR_SYNC_BACKEND_REFUSED'
  | 'EASGATE_ERR_SYNC_BACKEND_BAD_RESPONSE';

/** A call to the backend failed; `retryable` says whether trying again may help. */
export class BackendError extends GatewayError {
  readonly retryable: boolean;
  /** The backend's HTTP status, when it answered. */
  readonly httpStatus: number | undefined;
  constructor(code: BackendErrorCode, detail: string, options: { retryable: boolean; httpStatus?: number; cause?: unknown }) {
    super(code, detail, { cause: options.cause });
    this.name = 'BackendError';
    this.retryable = options.retryable;
    this.httpStatus = options.httpStatus;
  }
}

/** 5xx, 408 (timeout) and 429 (too many requests) may pass; other statuses will not. */
export function retryableStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

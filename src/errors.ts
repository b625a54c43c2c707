/**
 * Every error code the gateway answers or logs with, in one table (fastify's errors.js
 * habit). docs/errors.md lists the same codes; a test fails when the two drift apart.
 * Three families stay apart: HTTP answers to a device (this table), in-body EAS Status
 * values (src/eas), and upstream transport failures (mapped here to 502/503/504).
 */
export const ERRORS = {
  EASGATE_ERR_CONFIG_INVALID: { status: 0, message: 'A setting is missing or does not parse; the process does not start' },
  EASGATE_ERR_EAS_BAD_QUERY: { status: 400, message: 'The query string cannot be parsed' },
  EASGATE_ERR_EAS_BAD_BASE64_QUERY: { status: 400, message: 'The base64-encoded query is not valid ([MS-ASHTTP] 2.2.1.1.1.1)' },
  EASGATE_ERR_EAS_MISSING_CMD: { status: 400, message: 'A POST without the Cmd parameter' },
  EASGATE_ERR_EAS_UNKNOWN_CMD: { status: 400, message: 'Cmd names no ActiveSync command' },
  EASGATE_ERR_EAS_MISSING_DEVICE_ID: { status: 400, message: 'A POST without the DeviceId parameter' },
  EASGATE_ERR_EAS_BAD_DEVICE_ID: { status: 400, message: 'DeviceId is outside the grammar 1*32(ALPHA / DIGIT) of [MS-ASHTTP] 2.2.1.1.1.2.3' },
  EASGATE_ERR_EAS_MISSING_DEVICE_TYPE: { status: 400, message: 'A POST without the DeviceType parameter' },
  EASGATE_ERR_EAS_BAD_DEVICE_TYPE: { status: 400, message: 'DeviceType is empty, too long or holds control characters' },
  EASGATE_ERR_EAS_BODY_TOO_LARGE: { status: 413, message: 'A Provision or Settings body is larger than EASGATE_INSPECT_BODY_LIMIT' },
  EASGATE_ERR_EAS_BAD_BODY: { status: 400, message: 'A Provision or Settings body is not valid WBXML' },
  EASGATE_ERR_HTTP_METHOD: { status: 405, message: 'Only OPTIONS and POST are ActiveSync methods' },
  EASGATE_ERR_STORE_UNAVAILABLE: { status: 503, message: 'The device is not cached and the store cannot be read; Retry-After is set' },
  EASGATE_ERR_UPSTREAM_UNAVAILABLE: { status: 503, message: 'The upstream refused the connection or could not be reached; Retry-After is set' },
  EASGATE_ERR_UPSTREAM_TIMEOUT: { status: 504, message: 'The upstream did not answer within its timeout' },
  EASGATE_ERR_UPSTREAM_BAD_RESPONSE: { status: 502, message: 'The upstream closed the connection or answered something that is not HTTP' },
  EASGATE_ERR_API_UNAUTHORIZED: { status: 401, message: 'Admin API: no valid bearer token (the Authorization header is missing or malformed, or the token is unknown or revoked)' },
  EASGATE_ERR_API_TOO_MANY_FAILURES: { status: 429, message: 'Admin API: too many failed authentications from this address; Retry-After says when to try again' },
  EASGATE_ERR_API_FORBIDDEN: { status: 403, message: "Admin API: the token's role does not allow this call" },
  EASGATE_ERR_API_CSRF: { status: 403, message: 'Admin API: a change made with the console\'s session cookie lacks the session\'s CSRF token (X-EasGate-CSRF)' },
  EASGATE_ERR_API_NOT_FOUND: { status: 404, message: 'Admin API: no such route, or no such association, mailbox, rule, device ID, domain or token' },
  EASGATE_ERR_API_BAD_JSON: { status: 400, message: 'Admin API: the request body is not valid JSON' },
  EASGATE_ERR_API_UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'Admin API: a request body must be application/json' },
  EASGATE_ERR_API_BODY_TOO_LARGE: { status: 413, message: 'Admin API: the request body is larger than the route accepts (64 KiB; 1 MiB for bulk mailbox changes)' },
  EASGATE_ERR_API_INVALID: { status: 400, message: 'Admin API: a field is missing, of the wrong type or out of range; `field` names it' },
  EASGATE_ERR_API_UNKNOWN_FIELD: { status: 400, message: 'Admin API: the request has a field the route does not know; `field` names it' },
  EASGATE_ERR_API_BAD_CURSOR: { status: 400, message: 'Admin API: the cursor is malformed or belongs to another query' },
  EASGATE_ERR_API_CONFLICT: { status: 409, message: 'Admin API: the object exists already (a token name, a rule id, a rule for the same characteristic and query string), or its state forbids the change (a wipe already sent), or it kept changing under a write (try again)' },
  EASGATE_ERR_API_LICENSE_LIMIT: { status: 409, message: 'Admin API: enabling the user would exceed the license (every licensed user is in use)' },
  EASGATE_ERR_API_INTERNAL: { status: 500, message: 'Admin API: the call failed inside the gateway (e.g. the store cannot be reached); the log has the cause' },
  EASGATE_ERR_API_SYNC_NOT_CONFIGURED: { status: 409, message: 'Admin API: the backend sync is not configured (EASGATE_BACKEND_URL is unset)' },
  EASGATE_ERR_SYNC_BACKEND_UNAVAILABLE: { status: 0, message: 'Backend sync: the management backend could not be reached (refused, reset, TLS failure); retried with backoff' },
  EASGATE_ERR_SYNC_BACKEND_TIMEOUT: { status: 0, message: 'Backend sync: the management backend did not answer within its timeout; retried with backoff' },
  EASGATE_ERR_SYNC_BACKEND_REFUSED: { status: 0, message: 'Backend sync: the management backend answered with an error status (5xx, 408 and 429 are retried, others are not)' },
  EASGATE_ERR_SYNC_BACKEND_BAD_RESPONSE: { status: 0, message: 'Backend sync: the management backend answered something that is not the documented JSON (docs/backend-api.yaml)' },
} as const;

export type ErrorCode = keyof typeof ERRORS;

export class GatewayError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  constructor(code: ErrorCode, detail?: string, options?: { cause?: unknown }) {
    super(detail ?? ERRORS[code].message, options);
    this.name = 'GatewayError';
    this.code = code;
    this.status = ERRORS[code].status;
  }
}

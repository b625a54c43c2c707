/** The admin API answers the admin operations' refusals as JSON `{ code, message, field? }` with the table's HTTP status. */
export { AdminError as ApiError, invalid, notFound, type AdminErrorCode as ApiErrorCode } from '../actions/index.js';

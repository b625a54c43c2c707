import { commandStatusAnswer } from './answers.js';
import type { CommandInfo } from './commands.js';

/** How the gateway refuses a request: HTTP status, and a WBXML body when the version allows one. */
export interface Refusal {
  readonly httpStatus: number;
  readonly body: Buffer | undefined;
}

/**
 * The highest common status a protocol version defines (docs/protocol.md 2.2, after Exchange's
 * AirSyncResponse): below 14.0 none (errors are HTTP codes), 14.0 up to 163, 14.1 up to
 * 177, 16.0 up to 183, 16.1 any.
 */
function highestStatus(version: string | undefined): number {
  switch (version) {
    case '14.0':
      return 163;
    case '14.1':
      return 177;
    case '16.0':
      return 183;
    case '16.1':
      return Number.MAX_SAFE_INTEGER;
    default:
      return 0; // 2.5, 12.x, missing or unknown: no in-body common status
  }
}

const FORBIDDEN: Refusal = Object.freeze({ httpStatus: 403, body: undefined });
const cache = new Map<string, Refusal>();

/**
 * The answer that makes a refused device stop: at 14.0 and later HTTP 200 with
 * `<Command><Status>N</Status></Command>` (129 DeviceIsBlockedForThisUser, 126
 * UserDisabledForSync, …, [MS-ASCMD] 2.2.2), where the version defines N and the command
 * has a root element; otherwise HTTP 403 with no body, as Exchange answers older clients.
 * Bodies are built once per (command, status) and reused.
 */
export function refusal(command: CommandInfo | undefined, version: string | undefined, status: number): Refusal {
  if (command === undefined || command.rootPage === null || status > highestStatus(version)) return FORBIDDEN;
  const key = `${command.name}:${status}`;
  let r = cache.get(key);
  if (r === undefined) {
    const body = commandStatusAnswer(command.name, status);
    r = Object.freeze(body === null ? FORBIDDEN : { httpStatus: 200, body });
    cache.set(key, r);
  }
  return r;
}

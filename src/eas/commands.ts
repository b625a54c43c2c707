/**
 * The ActiveSync command registry: one table, asked by the request path instead of
 * string switches. Codes are the base64-query command codes of [MS-ASHTTP] 2.2.1.1.1.1.2
 * (5–8 are not assigned). Flags:
 * - longPoll: the request may be held by the server (Ping; Sync with Wait or
 *   HeartbeatInterval, [MS-ASCMD] 2.2.3.198 / 2.2.3.88.2), so it gets the long timeouts.
 * - inspectBody: the gateway buffers and decodes the (small) WBXML body to learn device
 *   details and policy facts (Provision, Settings: [MS-ASPROV] 2.2.2.53, [MS-ASCMD] 2.2.3.45).
 * - emptyBodyAllowed: the body may be empty ([MS-ASHTTP] 2.2.1.1.3: GetAttachment, Sync, Ping).
 * - rootPage: the WBXML code page of the command's root element, for gateway-made answers;
 *   null where the command has no WBXML root (GetAttachment answers raw bytes).
 * - minVersion: the first protocol version that defines the command.
 */
export interface CommandInfo {
  readonly name: string;
  readonly code: number;
  readonly longPoll: boolean;
  readonly inspectBody: boolean;
  readonly emptyBodyAllowed: boolean;
  readonly rootPage: string | null;
  readonly minVersion: string;
}

type Row = [name: string, code: number, flags: Partial<Omit<CommandInfo, 'name' | 'code'>>];

const ROWS: readonly Row[] = [
  ['Sync', 0, { longPoll: true, emptyBodyAllowed: true, rootPage: 'AirSync' }],
  ['SendMail', 1, { rootPage: 'ComposeMail' }],
  ['SmartForward', 2, { rootPage: 'ComposeMail' }],
  ['SmartReply', 3, { rootPage: 'ComposeMail' }],
  ['GetAttachment', 4, { emptyBodyAllowed: true, rootPage: null }],
  ['FolderSync', 9, { rootPage: 'FolderHierarchy' }],
  ['FolderCreate', 10, { rootPage: 'FolderHierarchy' }],
  ['FolderDelete', 11, { rootPage: 'FolderHierarchy' }],
  ['FolderUpdate', 12, { rootPage: 'FolderHierarchy' }],
  ['MoveItems', 13, { rootPage: 'Move' }],
  ['GetItemEstimate', 14, { rootPage: 'GetItemEstimate' }],
  ['MeetingResponse', 15, { rootPage: 'MeetingResponse' }],
  ['Search', 16, { rootPage: 'Search' }],
  ['Settings', 17, { inspectBody: true, rootPage: 'Settings', minVersion: '12.0' }],
  // Ping (Direct Push) exists since EAS 2.5 (Exchange 2003 SP2).
  ['Ping', 18, { longPoll: true, emptyBodyAllowed: true, rootPage: 'Ping' }],
  ['ItemOperations', 19, { rootPage: 'ItemOperations', minVersion: '12.0' }],
  ['Provision', 20, { inspectBody: true, rootPage: 'Provision' }],
  ['ResolveRecipients', 21, { rootPage: 'ResolveRecipients' }],
  ['ValidateCert', 22, { rootPage: 'ValidateCert' }],
  ['Find', 23, { rootPage: 'Find', minVersion: '16.1' }],
];

const DEFAULTS = { longPoll: false, inspectBody: false, emptyBodyAllowed: false, minVersion: '2.5' } as const;

function build(row: Row): CommandInfo {
  const [name, code, flags] = row;
  return Object.freeze({ ...DEFAULTS, rootPage: null, ...flags, name, code });
}

export const COMMANDS: readonly CommandInfo[] = Object.freeze(ROWS.map(build));

const byLowerName = new Map<string, CommandInfo>(COMMANDS.map((c) => [c.name.toLowerCase(), c]));
const byCode = new Map<number, CommandInfo>(COMMANDS.map((c) => [c.code, c]));

/** Looks a command up by name, case-insensitively (servers accept any case of Cmd). */
export function commandByName(name: string): CommandInfo | undefined {
  return byLowerName.get(name.toLowerCase());
}

/** Looks a command up by its base64-query code. */
export function commandByCode(code: number): CommandInfo | undefined {
  return byCode.get(code);
}

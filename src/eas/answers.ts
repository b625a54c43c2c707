import { el, encode, WbxmlError, type WbxmlElement } from '../wbxml/index.js';
import { commandByName } from './commands.js';

/**
 * WBXML answers the gateway writes itself (blocked, wipe, ended long poll). The command
 * registry (commands.ts) says on which code page each command's root element lives.
 */

function statusText(status: number): string {
  if (!Number.isSafeInteger(status) || status < 0) {
    throw new WbxmlError('EASGATE_ERR_WBXML_INVALID_TREE', `status ${status} is not a non-negative integer`);
  }
  return String(status);
}

/**
 * `<Command><Status>N</Status></Command>` on the command's own code page, e.g.
 * `<FolderSync xmlns="FolderHierarchy:"><Status>129</Status></FolderSync>`: how Exchange
 * answers a 14.0+ device with a common status ([MS-ASCMD] 2.2.2; [MS-ASPROV] 4.1.1 shows
 * FolderSync 142). The root element is named like the command on every page
 * (MoveItems on Move, SendMail/SmartReply/SmartForward on ComposeMail, ...).
 * Returns null for a command without a WBXML root (GetAttachment) or an unknown name.
 */
export function commandStatusAnswer(command: string, status: number): Buffer | null {
  const info = commandByName(command);
  if (info === undefined || info.rootPage === null) return null;
  return encode(el(`${info.rootPage}:${info.name}`, el('Status', statusText(status))));
}

/**
 * The Provision answer that orders a wipe: `<Provision><Status>1</Status><RemoteWipe/>`
 * ([MS-ASPROV] 3.2.5.1.2.2), or with AccountOnlyRemoteWipe (16.1, token 0x3B,
 * [MS-ASPROV] 2.2.2.1, 3.1.5.1.2.3) to remove only the account and its data.
 */
export function provisionWipeDirective(options: { accountOnly: boolean }): Buffer {
  return encode(el('Provision:Provision', el('Status', '1'), el(options.accountOnly ? 'AccountOnlyRemoteWipe' : 'RemoteWipe')));
}

export interface PingAnswerExtras {
  /** With Status 2: the ids of the folders that changed ([MS-ASCMD] 2.2.3.75.2). */
  folders?: readonly string[];
  /** With Status 6: the most folders the server accepts ([MS-ASCMD] 2.2.3.102). */
  maxFolders?: number;
  /** With Status 5: the allowed minimum or maximum, in seconds ([MS-ASCMD] 2.2.3.88.1). */
  heartbeatInterval?: number;
}

/** `<Ping><Status>N</Status>…</Ping>`, the optional parts in the order of PingResponse.xsd ([MS-ASCMD] 6.30). */
export function pingAnswer(status: number, extras: PingAnswerExtras = {}): Buffer {
  const root: WbxmlElement = el('Ping:Ping', el('Status', statusText(status)));
  if (extras.folders !== undefined && extras.folders.length > 0) {
    root.children.push(el('Ping:Folders', extras.folders.map((id) => el('Folder', id))));
  }
  if (extras.maxFolders !== undefined) root.children.push(el('Ping:MaxFolders', statusText(extras.maxFolders)));
  if (extras.heartbeatInterval !== undefined) root.children.push(el('Ping:HeartbeatInterval', statusText(extras.heartbeatInterval)));
  return encode(root);
}

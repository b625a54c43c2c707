import { randomInt } from 'node:crypto';
import { readPingRequest } from '../eas/body-facts.js';
import type { DeviceRequest } from '../eas/device-request.js';
import {
  folderSyncStartOver,
  pingStatus,
  provisionWithoutPolicy,
  quarantineFolderSync,
  quarantineSync,
  settingsAccepted,
  syncHierarchyChanged,
  type QuarantineNotice,
} from '../eas/quarantine-mailbox.js';
import { refusal } from '../eas/refusal.js';
import type { Association, OrganizationSettings } from '../policy/index.js';

/** What the gateway answers a quarantined device, or a released one that must resynchronise. */
export interface LocalReply {
  readonly httpStatus: number;
  readonly body: Buffer | undefined;
  /** Headers beyond the content type (sendWbxml sets that when there is a body). */
  readonly headers?: Record<string, string>;
  /** Hold the answer this long first (a Ping that "holds and then reports no change"). */
  readonly holdMs?: number;
}

/** The Ping heartbeat the quarantine mailbox holds when the device names none (8 minutes, a common client value). */
const DEFAULT_HEARTBEAT_S = 480;
const MAX_HEARTBEAT_S = 3540;

/** The notice mail of the quarantine mailbox, with the organisation's UserMailInsert. */
export function quarantineNotice(
  a: Pick<Association, 'user' | 'deviceId' | 'deviceType' | 'model' | 'accessStateAt' | 'accessReason'>,
  org: OrganizationSettings,
  now: number,
): QuarantineNotice {
  const device = [a.model, a.deviceType, `(ID ${a.deviceId})`].filter(Boolean).join(' ');
  // Held because the management backend does not know it: enrolling it is what releases it.
  const unregistered = a.accessReason === 'Unregistered';
  const text = [
    unregistered
      ? `Your device ${device} is not enrolled in your organisation's device management, and only enrolled devices may sync your mailbox.`
      : `Your device ${device} is waiting for approval by your administrator before it can sync your mailbox.`,
    unregistered
      ? 'Enroll it (or ask your help desk how): once it is enrolled, your mail, calendar and contacts will appear on it.'
      : 'You do not need to do anything: once it is approved, your mail, calendar and contacts will appear on it.',
    org.userMailInsert === '' ? undefined : `\n${org.userMailInsert}`,
  ]
    .filter((l) => l !== undefined)
    .join('\n');
  const subject = unregistered ? 'Your device is waiting for enrollment' : 'Your device is waiting for approval';
  return { user: a.user, subject, text, at: a.accessStateAt ?? now };
}

/**
 * The one-folder mailbox ([MS-ASCMD] FolderSync, Sync, Ping; [MS-ASPROV] Provision; Settings):
 * served from the gateway, nothing reaches the upstream. Other commands get the blocked
 * answer of their protocol version.
 */
export function quarantineReply(r: DeviceRequest, body: Buffer, notice: QuarantineNotice): LocalReply {
  switch (r.command?.name) {
    case 'FolderSync':
      return wbxml(quarantineFolderSync(body));
    case 'Sync': {
      const answer = quarantineSync(body, notice, r.protocolVersion);
      return answer === undefined ? { httpStatus: 200, body: undefined } : wbxml(answer);
    }
    case 'Ping': {
      const hbi = Math.min(MAX_HEARTBEAT_S, readPingRequest(body).heartbeatInterval ?? DEFAULT_HEARTBEAT_S);
      return { ...wbxml(pingStatus(1)), holdMs: hbi * 1000 };
    }
    case 'Provision':
      return wbxml(provisionWithoutPolicy(body, String(randomInt(1, 2 ** 31))));
    case 'Settings':
      return wbxml(settingsAccepted());
    default: {
      const answer = refusal(r.command, r.protocolVersion, 129);
      return { httpStatus: answer.httpStatus, body: answer.body };
    }
  }
}

/**
 * A device that was served the quarantine mailbox and is now allowed must drop it and sync
 * the real mailbox from scratch (docs/protocol.md 9): its FolderSync gets Status 9 (it starts
 * over at SyncKey 0, against the upstream), with X-MS-RP from 12.1 on; a Sync or Ping
 * before that is told the hierarchy changed. Undefined: forward the request.
 */
export function releaseReply(r: DeviceRequest): LocalReply | undefined {
  switch (r.command?.name) {
    case 'FolderSync': {
      const reply = wbxml(folderSyncStartOver());
      return Number(r.protocolVersion) >= 12.1 ? { ...reply, headers: { 'x-ms-rp': '2.5,12.0,12.1,14.0,14.1,16.0,16.1' } } : reply;
    }
    case 'Sync':
      return wbxml(syncHierarchyChanged());
    case 'Ping':
      return wbxml(pingStatus(7));
    default:
      return undefined;
  }
}

function wbxml(body: Buffer): LocalReply {
  return { httpStatus: 200, body };
}

import { decode, el, encode, isElement, textOf, type WbxmlElement } from '../wbxml/index.js';

/**
 * The one-folder mailbox the gateway serves to a quarantined device, so that the user
 * sees why on the phone itself (as Exchange puts a notice in the Inbox, docs/protocol.md 2.3):
 * FolderSync gives one Inbox, Sync gives one message, and nothing of the real mailbox is
 * served. Folder and sync keys are the gateway's own ("Q…"), so that they can be told
 * apart from the upstream's after a release.
 */
export const QUARANTINE_FOLDER_ID = 'easgate-quarantine';
const FOLDER_KEY = 'Q1';
const SYNC_KEYS = { initial: 'Q1', withMessage: 'Q2' } as const;

export interface QuarantineNotice {
  user: string;
  subject: string;
  text: string;
  /** Epoch ms of the notice (the quarantine). */
  at: number;
}

function versionAtLeast(v: string | undefined, min: number): boolean {
  const n = Number(v);
  return Number.isFinite(n) && n >= min;
}

/** [MS-ASCMD] 2.2.1.5 FolderSync: a new hierarchy of one Inbox for SyncKey 0, nothing new afterwards. */
export function quarantineFolderSync(requestBody: Uint8Array): Buffer {
  const key = firstText(requestBody, 'SyncKey');
  const root = el('FolderHierarchy:FolderSync', el('Status', '1'), el('SyncKey', FOLDER_KEY));
  if (key === '0' || key === undefined) {
    root.children.push(
      el('FolderHierarchy:Changes', el('Count', '1'), el('Add', el('ServerId', QUARANTINE_FOLDER_ID), el('ParentId', '0'), el('DisplayName', 'Inbox'), el('Type', '2'))),
    );
  } else {
    root.children.push(el('FolderHierarchy:Changes', el('Count', '0')));
  }
  return encode(root);
}

/**
 * [MS-ASCMD] 2.2.1.21 Sync of the quarantine Inbox: SyncKey 0 → the first key; the first
 * key → the notice as one Add; afterwards nothing (an empty 200 means no changes). Any
 * other folder is not there (collection Status 8). Undefined: answer an empty 200.
 */
export function quarantineSync(requestBody: Uint8Array, notice: QuarantineNotice, version: string | undefined): Buffer | undefined {
  if (requestBody.length === 0) return undefined;
  const collections = collectionsOf(requestBody);
  if (collections.length === 0) return undefined;
  const out: WbxmlElement[] = [];
  let changed = false;
  for (const { id, key } of collections) {
    if (id !== QUARANTINE_FOLDER_ID) {
      out.push(el('Collection', el('SyncKey', key ?? '0'), el('CollectionId', id ?? ''), el('Status', '8')));
      changed = true;
    } else if (key === '0' || key === undefined) {
      out.push(el('Collection', el('SyncKey', SYNC_KEYS.initial), el('CollectionId', id), el('Status', '1')));
      changed = true;
    } else if (key === SYNC_KEYS.initial) {
      out.push(el('Collection', el('SyncKey', SYNC_KEYS.withMessage), el('CollectionId', id), el('Status', '1'), el('Commands', el('Add', el('ServerId', `${QUARANTINE_FOLDER_ID}:1`), noticeData(notice, version)))));
      changed = true;
    }
  }
  return changed ? encode(el('AirSync:Sync', el('Collections', ...out))) : undefined;
}

function noticeData(n: QuarantineNotice, version: string | undefined): WbxmlElement {
  const received = new Date(n.at).toISOString().replace(/\.\d{3}Z$/, '.000Z');
  const fields = [
    el('Email:To', n.user),
    el('Email:From', '"ActiveSync gateway" <postmaster@localhost>'),
    el('Email:Subject', n.subject),
    el('Email:DateReceived', received),
    el('Email:DisplayTo', n.user),
    el('Email:Importance', '2'),
    el('Email:Read', '0'),
    el('Email:MessageClass', 'IPM.Note'),
  ];
  // AirSyncBase bodies exist from 12.0 on; 2.5 has Email:Body.
  const body = versionAtLeast(version, 12)
    ? el('AirSyncBase:Body', el('Type', '1'), el('EstimatedDataSize', String(Buffer.byteLength(n.text))), el('Data', n.text))
    : el('Email:Body', n.text);
  return el('AirSync:ApplicationData', ...fields, body);
}

/** [MS-ASCMD] 2.2.3.177.10: a Ping ends with Status 1 (no changes) or 7 (the hierarchy changed). */
export function pingStatus(status: 1 | 7): Buffer {
  return encode(el('Ping:Ping', el('Status', String(status))));
}

/** [MS-ASCMD] 2.2.3.177.5 FolderSync Status 9: the client's key is unknown; it starts over at SyncKey 0. */
export function folderSyncStartOver(): Buffer {
  return encode(el('FolderHierarchy:FolderSync', el('Status', '9')));
}

/** [MS-ASCMD] 2.2.3.177.17 Sync Status 12: the hierarchy changed; the client runs FolderSync. */
export function syncHierarchyChanged(): Buffer {
  return encode(el('AirSync:Sync', el('Status', '12')));
}

/** [MS-ASCMD] 2.2.3.45 Settings with DeviceInformation: stored (Status 1). */
export function settingsAccepted(): Buffer {
  return encode(el('Settings:Settings', el('Status', '1'), el('DeviceInformation', el('Status', '1'))));
}

/**
 * [MS-ASPROV] 3.2.5.1: the gateway's own two-phase answer with an empty policy document:
 * the quarantined device gets a key of the gateway's; after a release the upstream, if it
 * requires provisioning, answers that key as unknown and the device provisions with it.
 */
export function provisionWithoutPolicy(requestBody: Uint8Array, key: string): Buffer {
  const type = firstText(requestBody, 'PolicyType') ?? 'MS-EAS-Provisioning-WBXML';
  const acknowledging = firstText(requestBody, 'PolicyKey') !== undefined;
  const policy = el('Policy', el('PolicyType', type), el('Status', '1'), el('PolicyKey', key));
  if (!acknowledging && type === 'MS-EAS-Provisioning-WBXML') policy.children.push(el('Provision:Data', el('EASProvisionDoc')));
  return encode(el('Provision:Provision', el('Status', '1'), el('Policies', policy)));
}

function firstText(body: Uint8Array, name: string): string | undefined {
  if (body.length === 0) return undefined;
  const stack: WbxmlElement[] = [decode(body)];
  while (stack.length > 0) {
    const e = stack.pop()!;
    if (e.name === name) return textOf(e);
    for (const c of e.children) if (isElement(c)) stack.push(c);
  }
  return undefined;
}

function collectionsOf(body: Uint8Array): { id: string | undefined; key: string | undefined }[] {
  const root = decode(body);
  const out: { id: string | undefined; key: string | undefined }[] = [];
  const stack: WbxmlElement[] = [root];
  while (stack.length > 0) {
    const e = stack.pop()!;
    if (e.name === 'Collection') {
      const child = (n: string): string | undefined => {
        const c = e.children.find((x): x is WbxmlElement => isElement(x) && x.name === n);
        return c === undefined ? undefined : textOf(c);
      };
      out.push({ id: child('CollectionId'), key: child('SyncKey') });
      continue;
    }
    for (const c of e.children) if (isElement(c)) stack.push(c);
  }
  return out;
}

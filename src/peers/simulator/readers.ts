/**
 * Reading the server's answers into the facts a device acts on.
 */
import { child, childrenNamed, childText, descend, elements, textOf, type WbxmlElement } from '../common/tree.js';

export interface FolderInfo {
  serverId: string;
  parentId: string;
  displayName: string;
  type: number;
}

export interface FolderSyncResult {
  status: number | undefined;
  syncKey: string | undefined;
  added: FolderInfo[];
  deleted: string[];
}

function num(text: string | undefined): number | undefined {
  return text === undefined || text === '' ? undefined : Number(text);
}

export function readFolderSync(doc: WbxmlElement | undefined): FolderSyncResult {
  const changes = child(doc, 'Changes');
  const info = (e: WbxmlElement): FolderInfo => ({
    serverId: childText(e, 'ServerId') ?? '',
    parentId: childText(e, 'ParentId') ?? '0',
    displayName: childText(e, 'DisplayName') ?? '',
    type: num(childText(e, 'Type')) ?? 0,
  });
  return {
    status: num(childText(doc, 'Status')),
    syncKey: childText(doc, 'SyncKey'),
    added: childrenNamed(changes, 'Add').map(info),
    deleted: childrenNamed(changes, 'Delete').map((e) => childText(e, 'ServerId') ?? ''),
  };
}

export interface SyncedItem {
  serverId: string;
  subject: string | undefined;
  from: string | undefined;
}

export interface SyncCollectionResult {
  collectionId: string;
  status: number | undefined;
  syncKey: string | undefined;
  added: SyncedItem[];
  changed: number;
  deleted: number;
  moreAvailable: boolean;
}

export interface SyncResult {
  /** A Status directly under Sync (a whole-request error such as 4, 13, 14, 142). */
  status: number | undefined;
  /** The empty 200 of "no changes" ([MS-ASHTTP] 2.2.1.1.3). */
  empty: boolean;
  collections: SyncCollectionResult[];
  limit: number | undefined;
}

export function readSync(doc: WbxmlElement | undefined): SyncResult {
  const collections = childrenNamed(child(doc, 'Collections'), 'Collection').map((c): SyncCollectionResult => {
    const commands = child(c, 'Commands');
    return {
      collectionId: childText(c, 'CollectionId') ?? '',
      status: num(childText(c, 'Status')),
      syncKey: childText(c, 'SyncKey'),
      added: childrenNamed(commands, 'Add').map((add) => {
        const data = child(add, 'ApplicationData');
        return { serverId: childText(add, 'ServerId') ?? '', subject: childText(data, 'Subject', 'Email'), from: childText(data, 'From', 'Email') };
      }),
      changed: childrenNamed(commands, 'Change').length,
      deleted: childrenNamed(commands, 'Delete').length + childrenNamed(commands, 'SoftDelete').length,
      moreAvailable: child(c, 'MoreAvailable') !== undefined,
    };
  });
  return { status: num(childText(doc, 'Status')), empty: doc === undefined, collections, limit: num(childText(doc, 'Limit')) };
}

export interface EstimateResult {
  collectionId: string;
  status: number | undefined;
  estimate: number | undefined;
}

export function readGetItemEstimate(doc: WbxmlElement | undefined): EstimateResult[] {
  return childrenNamed(doc, 'Response').map((r) => ({
    collectionId: childText(child(r, 'Collection'), 'CollectionId') ?? '',
    status: num(childText(r, 'Status')),
    estimate: num(childText(child(r, 'Collection'), 'Estimate')),
  }));
}

export interface PingResult {
  status: number | undefined;
  /** Folders with changes (Status 2). */
  folders: string[];
  /** The allowed bound (Status 5). */
  heartbeatInterval: number | undefined;
  /** The allowed count (Status 6). */
  maxFolders: number | undefined;
}

export function readPing(doc: WbxmlElement | undefined): PingResult {
  return {
    status: num(childText(doc, 'Status')),
    folders: childrenNamed(child(doc, 'Folders'), 'Folder').map((f) => textOf(f) ?? ''),
    heartbeatInterval: num(childText(doc, 'HeartbeatInterval')),
    maxFolders: num(childText(doc, 'MaxFolders')),
  };
}

export interface ProvisionResult {
  status: number | undefined;
  policyStatus: number | undefined;
  policyKey: string | undefined;
  policyType: string | undefined;
  /** Names of the EASProvisionDoc settings received. */
  policySettings: string[];
  deviceInformationStatus: number | undefined;
  remoteWipe: 'RemoteWipe' | 'AccountOnlyRemoteWipe' | undefined;
}

export function readProvision(doc: WbxmlElement | undefined): ProvisionResult {
  const policy = descend(doc, 'Policies', 'Policy');
  const wipe = child(doc, 'RemoteWipe') !== undefined ? 'RemoteWipe' : child(doc, 'AccountOnlyRemoteWipe') !== undefined ? 'AccountOnlyRemoteWipe' : undefined;
  return {
    status: num(childText(doc, 'Status')),
    policyStatus: num(childText(policy, 'Status')),
    policyKey: childText(policy, 'PolicyKey'),
    policyType: childText(policy, 'PolicyType'),
    policySettings: elements(descend(policy, 'Data', 'EASProvisionDoc')).map((e) => e.name),
    deviceInformationStatus: num(childText(child(doc, 'DeviceInformation', 'Settings'), 'Status')),
    remoteWipe: wipe,
  };
}

export function readSettings(doc: WbxmlElement | undefined): { status: number | undefined; deviceInformationStatus: number | undefined } {
  return {
    status: num(childText(doc, 'Status')),
    deviceInformationStatus: num(childText(child(doc, 'DeviceInformation'), 'Status')),
  };
}

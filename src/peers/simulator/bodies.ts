/**
 * The request bodies a phone sends, per protocol version (element order as MS-ASCMD
 * requires: "strict ordering" of Sync's Collection, 2.2.3.29.2).
 */
import { versionAtLeast } from '../common/protocol.js';
import { page, type WbxmlElement } from '../common/tree.js';
import type { DeviceInformation } from './types.js';

const a = page('AirSync');
const b = page('AirSyncBase');
const f = page('FolderHierarchy');
const g = page('GetItemEstimate');
const pg = page('Ping');
const pr = page('Provision');
const s = page('Settings');
const c = page('ComposeMail');

export function policyType(version: string): string {
  // [MS-ASPROV] 2.2.2.43: the WAP document for 2.5, the WBXML one from 12.0 on.
  return versionAtLeast(version, '12.0') ? 'MS-EAS-Provisioning-WBXML' : 'MS-WAP-Provisioning-XML';
}

/** Settings:DeviceInformation/Set, with only the elements this version knows (docs/protocol.md 4). */
export function deviceInformationElement(info: DeviceInformation, version: string): WbxmlElement {
  return s(
    'DeviceInformation',
    s(
      'Set',
      s('Model', info.model),
      s('IMEI', info.imei),
      s('FriendlyName', info.friendlyName),
      s('OS', info.os),
      s('OSLanguage', info.osLanguage),
      s('PhoneNumber', info.phoneNumber),
      versionAtLeast(version, '12.1') && s('UserAgent', info.userAgent),
      versionAtLeast(version, '14.0') && s('MobileOperator', info.mobileOperator),
    ),
  );
}

/** The initial Provision; 14.1+ MUST carry DeviceInformation ([MS-ASPROV] 2.2.2.53). */
export function provisionInitial(version: string, info: DeviceInformation): WbxmlElement {
  return pr(
    'Provision',
    versionAtLeast(version, '14.1') && deviceInformationElement(info, version),
    pr('Policies', pr('Policy', pr('PolicyType', policyType(version)))),
  );
}

/** The acknowledgement: PolicyKey before Status ([MS-ASPROV] 3.1.5.1.2.1). */
export function provisionAck(version: string, temporaryKey: string): WbxmlElement {
  return pr('Provision', pr('Policies', pr('Policy', pr('PolicyType', policyType(version)), pr('PolicyKey', temporaryKey), pr('Status', '1'))));
}

export function remoteWipeAck(element: 'RemoteWipe' | 'AccountOnlyRemoteWipe'): WbxmlElement {
  return pr('Provision', pr(element, pr('Status', '1')));
}

export function settingsDeviceInformation(version: string, info: DeviceInformation): WbxmlElement {
  return s('Settings', deviceInformationElement(info, version));
}

export function folderSyncRequest(syncKey: string): WbxmlElement {
  return f('FolderSync', f('SyncKey', syncKey));
}

export interface SyncOptions {
  windowSize?: number;
  /** AirSyncBase BodyPreference Type (1 plain, 2 HTML, 4 MIME); default 2 as iOS asks. */
  bodyType?: number;
  truncationSize?: number;
  /** Minutes to hold the request ([MS-ASCMD] 2.2.3.198). */
  wait?: number;
  /** Seconds to hold the request, 14.0+ ([MS-ASCMD] 2.2.3.88.2). */
  heartbeatInterval?: number;
}

export function syncRequest(version: string, collectionId: string, syncKey: string, o: SyncOptions = {}): WbxmlElement {
  const initial = syncKey === '0';
  const legacy = !versionAtLeast(version, '12.0');
  const options = initial
    ? undefined
    : a(
        'Options',
        a('FilterType', '0'),
        legacy
          ? a('Truncation', '4')
          : b('BodyPreference', b('Type', String(o.bodyType ?? 2)), b('TruncationSize', String(o.truncationSize ?? 32768))),
      );
  const collection = a(
    'Collection',
    !versionAtLeast(version, '14.0') && a('Class', 'Email'),
    a('SyncKey', syncKey),
    a('CollectionId', collectionId),
    // GetChanges is not allowed with SyncKey 0 ([MS-ASCMD] 2.2.3.84).
    !initial && a('DeletesAsMoves', '1'),
    !initial && a('GetChanges', '1'),
    !initial && a('WindowSize', String(o.windowSize ?? 25)),
    options,
  );
  return a(
    'Sync',
    a('Collections', collection),
    o.wait !== undefined && a('Wait', String(o.wait)),
    o.heartbeatInterval !== undefined && a('HeartbeatInterval', String(o.heartbeatInterval)),
  );
}

export function getItemEstimateRequest(version: string, collectionId: string, syncKey: string): WbxmlElement {
  // 14.0+: SyncKey first, then CollectionId and Options ([MS-ASCMD] 2.2.3.181.3);
  // before 14.0: Class, CollectionId, FilterType, SyncKey.
  const collection = versionAtLeast(version, '14.0')
    ? g('Collection', a('SyncKey', syncKey), g('CollectionId', collectionId), a('Options', a('FilterType', '0')))
    : g('Collection', g('Class', 'Email'), g('CollectionId', collectionId), a('FilterType', '0'), a('SyncKey', syncKey));
  return g('GetItemEstimate', g('Collections', collection));
}

export interface PingFolderSpec {
  id: string;
  class?: string;
}

export function pingRequest(heartbeatSeconds: number, folders: readonly PingFolderSpec[]): WbxmlElement {
  return pg(
    'Ping',
    pg('HeartbeatInterval', String(heartbeatSeconds)),
    pg('Folders', folders.map((x) => pg('Folder', pg('Id', x.id), pg('Class', x.class ?? 'Email')))),
  );
}

export function sendMailRequest(clientId: string, mime: Uint8Array, saveInSent: boolean): WbxmlElement {
  return c('SendMail', c('ClientId', clientId), saveInSent && c('SaveInSentItems'), c('Mime', mime));
}

/**
 * Sync ([MS-ASCMD] 2.2.1.21) of mail folders: SyncKey 0 primes the collection; later keys
 * get Adds (at most WindowSize, with MoreAvailable); nothing new → an empty 200. Wait or
 * HeartbeatInterval hold the request until a delivery or the interval's end.
 */
import { versionAtLeast } from '../../common/protocol.js';
import { child, childrenNamed, childText, descend, page, type WbxmlElement } from '../../common/tree.js';
import { readDoc, sendEmpty, sendWbxml, type EasContext } from '../context.js';
import type { SyncCollectionRequest, SyncRequest } from '../devices.js';
import { folderById } from '../mailbox.js';
import { applicationData } from './email-data.js';
import { waitForChange } from './wait-for-change.js';

const a = page('AirSync');
const DEFAULT_WINDOW = 100;
/** [MS-ASCMD] 2.2.3.199: WindowSize is at most 512. */
const MAX_WINDOW = 512;

function optionalNumber(text: string | undefined): number | undefined {
  return text === undefined || text === '' ? undefined : Number(text);
}

export function parseSync(doc: WbxmlElement): SyncRequest {
  const collections = childrenNamed(child(doc, 'Collections'), 'Collection').map((c): SyncCollectionRequest => {
    const pref = descend(c, 'Options', 'BodyPreference');
    const key = childText(c, 'SyncKey') ?? '0';
    const getChanges = childText(c, 'GetChanges');
    return {
      collectionId: childText(c, 'CollectionId') ?? '',
      syncKey: key,
      // GetChanges defaults to true except for SyncKey 0 ([MS-ASCMD] 2.2.3.84).
      getChanges: getChanges === undefined ? key !== '0' : getChanges !== '0',
      windowSize: optionalNumber(childText(c, 'WindowSize')),
      bodyType: optionalNumber(childText(pref, 'Type')) ?? 1,
      truncationSize: optionalNumber(childText(pref, 'TruncationSize')),
      hasClientCommands: child(c, 'Commands') !== undefined,
    };
  });
  return {
    collections,
    wait: optionalNumber(childText(doc, 'Wait')),
    heartbeat: optionalNumber(childText(doc, 'HeartbeatInterval')),
    windowSize: optionalNumber(childText(doc, 'WindowSize')),
  };
}

export async function sync(ctx: EasContext): Promise<void> {
  const doc = await readDoc(ctx);
  let request: SyncRequest;
  if (doc === undefined) {
    // An empty Sync repeats the cached request ([MS-ASHTTP] 2.2.1.1.3); none → Status 13.
    if (ctx.device.syncCache === undefined) return sendWbxml(ctx, a('Sync', a('Status', '13')));
    request = ctx.device.syncCache;
    request.collections = request.collections.map((c) => ({
      ...c,
      syncKey: String(ctx.device.collections.get(c.collectionId)?.key ?? 0),
      hasClientCommands: false,
    }));
  } else {
    request = parseSync(doc);
  }
  if (request.collections.length === 0 || (request.wait !== undefined && request.heartbeat !== undefined)) {
    return sendWbxml(ctx, a('Sync', a('Status', '4')));
  }
  const seconds = request.heartbeat ?? (request.wait === undefined ? undefined : request.wait * 60);
  if (seconds !== undefined) {
    const { minHeartbeatSeconds: min, maxHeartbeatSeconds: max } = ctx.options;
    if (!(seconds >= min && seconds <= max)) {
      // Status 14 + Limit, in the unit the client used ([MS-ASCMD] 2.2.3.97).
      const bound = seconds < min ? min : max;
      const limit = request.heartbeat !== undefined ? bound : Math.ceil(bound / 60);
      return sendWbxml(ctx, a('Sync', a('Status', '14'), a('Limit', String(limit))));
    }
  }
  ctx.device.syncCache = request;
  let answer = runSync(ctx, request);
  if (answer.length === 0 && seconds !== undefined) {
    const ids = new Set(request.collections.map((c) => c.collectionId));
    const { result } = await waitForChange(ctx, ids, seconds);
    if (result === 'aborted') return;
    if (result === 'changed') answer = runSync(ctx, request);
  }
  // No changes: an empty 200 ([MS-ASHTTP] 2.2.1.1.3, [MS-ASCMD] 2.2.1.21).
  if (answer.length === 0) return sendEmpty(ctx, 200);
  sendWbxml(ctx, a('Sync', a('Collections', answer)));
}

function runSync(ctx: EasContext, request: SyncRequest): WbxmlElement[] {
  const out: WbxmlElement[] = [];
  for (const c of request.collections) {
    const e = runCollection(ctx, c, request.windowSize);
    if (e !== undefined) out.push(e);
  }
  return out;
}

function runCollection(ctx: EasContext, c: SyncCollectionRequest, rootWindow: number | undefined): WbxmlElement | undefined {
  // Class appears in responses to 2.5–12.1 only ([MS-ASCMD] 2.2.3.27.6).
  const cls = versionAtLeast(ctx.version, '14.0') ? undefined : a('Class', 'Email');
  const reply = (key: string, status: number, ...rest: (WbxmlElement | undefined)[]): WbxmlElement =>
    a('Collection', cls, a('SyncKey', key), a('CollectionId', c.collectionId), a('Status', String(status)), ...rest);
  // Unknown folder → Status 12, "hierarchy changed": the client runs FolderSync.
  if (folderById(c.collectionId) === undefined) return reply('0', 12);
  const devices = ctx.device.collections;
  if (c.syncKey === '0') {
    devices.set(c.collectionId, { key: 1, sent: new Set() });
    return reply('1', 1);
  }
  const state = devices.get(c.collectionId);
  // Status 3: invalid synchronization key; the client starts over at 0.
  if (state === undefined || Number(c.syncKey) !== state.key) return reply('0', 3);
  const pending = c.getChanges ? ctx.mailbox.list(c.collectionId).filter((m) => !state.sent.has(m.serverId)) : [];
  if (pending.length === 0 && !c.hasClientCommands) return undefined;
  const window = Math.min(c.windowSize ?? rootWindow ?? DEFAULT_WINDOW, MAX_WINDOW);
  const batch = pending.slice(0, window);
  state.key += 1;
  for (const m of batch) state.sent.add(m.serverId);
  const pref = { type: c.bodyType, truncationSize: c.truncationSize };
  const adds = batch.map((m) => a('Add', a('ServerId', m.serverId), applicationData(m, ctx.version, pref)));
  return reply(
    String(state.key),
    1,
    pending.length > batch.length ? a('MoreAvailable') : undefined,
    adds.length > 0 ? a('Commands', adds) : undefined,
  );
}

/**
 * Ping ([MS-ASCMD] 2.2.1.13): held until a delivery reaches a watched folder (Status 2
 * with the folders) or the heartbeat ends (Status 1). Parameters are cached per device so
 * that an empty Ping repeats the last one; checks as in the Ping Status table (docs/protocol.md 7.1).
 */
import { child, childrenNamed, childText, page } from '../../common/tree.js';
import { readDoc, sendWbxml, type EasContext } from '../context.js';
import type { PingFolder } from '../devices.js';
import { folderById } from '../mailbox.js';
import { foldersWithChanges, waitForChange } from './wait-for-change.js';

const p = page('Ping');

function answer(ctx: EasContext, status: number, ...rest: ReturnType<typeof p>[]): void {
  sendWbxml(ctx, p('Ping', p('Status', String(status)), ...rest));
}

export async function ping(ctx: EasContext): Promise<void> {
  const doc = await readDoc(ctx);
  const cached = ctx.device.pingCache;
  const hbText = childText(doc, 'HeartbeatInterval');
  const folderEls = childrenNamed(child(doc, 'Folders'), 'Folder');
  const heartbeat = hbText === undefined ? cached?.heartbeat : Number(hbText);
  const folders: PingFolder[] | undefined =
    folderEls.length > 0 ? folderEls.map((f) => ({ id: childText(f, 'Id') ?? '', cls: childText(f, 'Class') ?? 'Email' })) : cached?.folders;
  // Status 3: the parameters are missing and none are cached.
  if (heartbeat === undefined || folders === undefined) return answer(ctx, 3);
  if (!Number.isFinite(heartbeat)) return answer(ctx, 4);
  const { minHeartbeatSeconds: min, maxHeartbeatSeconds: max, maxPingFolders } = ctx.options;
  // Status 5 + the allowed bound ([MS-ASCMD] 2.2.3.88.1).
  if (heartbeat < min) return answer(ctx, 5, p('HeartbeatInterval', String(min)));
  if (heartbeat > max) return answer(ctx, 5, p('HeartbeatInterval', String(max)));
  if (folders.length > maxPingFolders) return answer(ctx, 6, p('MaxFolders', String(maxPingFolders)));
  // Status 7: a folder the hierarchy does not know; the client runs FolderSync.
  if (folders.some((f) => folderById(f.id) === undefined)) return answer(ctx, 7);
  ctx.device.pingCache = { heartbeat, folders };
  const ids = new Set(folders.map((f) => f.id));
  let changed = foldersWithChanges(ctx, ids);
  if (changed.length === 0) {
    const { result, folderId } = await waitForChange(ctx, ids, heartbeat);
    if (result === 'aborted') return;
    if (folderId !== undefined) changed = [...new Set([folderId, ...foldersWithChanges(ctx, ids)])];
  }
  if (changed.length === 0) return answer(ctx, 1);
  answer(ctx, 2, p('Folders', changed.map((id) => p('Folder', id))));
}

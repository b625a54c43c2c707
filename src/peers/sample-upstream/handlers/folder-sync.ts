/**
 * FolderSync ([MS-ASCMD] 2.2.1.5): SyncKey 0 gets the whole (fixed) hierarchy and key 1;
 * the current key gets "no changes"; any other key gets Status 9 (2.2.3.177.5).
 */
import { childText, page } from '../../common/tree.js';
import { HttpAnswer, readDoc, sendWbxml, type EasContext } from '../context.js';
import { FOLDERS } from '../mailbox.js';

const f = page('FolderHierarchy');

export async function folderSync(ctx: EasContext): Promise<void> {
  const doc = await readDoc(ctx);
  const key = childText(doc, 'SyncKey');
  if (doc === undefined || doc.name !== 'FolderSync' || key === undefined) {
    throw new HttpAnswer(400, 'FolderSync needs a FolderSync body with a SyncKey');
  }
  if (key === '0') {
    ctx.device.folderSyncKey = 1;
    const adds = FOLDERS.map((x) =>
      f('Add', f('ServerId', x.serverId), f('ParentId', x.parentId), f('DisplayName', x.displayName), f('Type', String(x.type))),
    );
    sendWbxml(ctx, f('FolderSync', f('Status', '1'), f('SyncKey', '1'), f('Changes', f('Count', String(adds.length)), adds)));
    return;
  }
  if (Number(key) !== ctx.device.folderSyncKey || ctx.device.folderSyncKey === 0) {
    sendWbxml(ctx, f('FolderSync', f('Status', '9')));
    return;
  }
  sendWbxml(ctx, f('FolderSync', f('Status', '1'), f('SyncKey', key), f('Changes', f('Count', '0'))));
}

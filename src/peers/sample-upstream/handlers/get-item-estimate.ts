/**
 * GetItemEstimate ([MS-ASCMD] 2.2.1.9): how many items the next Syncs would bring. The
 * SyncKey must match the collection's (Status 4 otherwise, 2.2.3.181.3).
 */
import { child, childrenNamed, childText, page } from '../../common/tree.js';
import { HttpAnswer, readDoc, sendWbxml, type EasContext } from '../context.js';
import { folderById } from '../mailbox.js';

const g = page('GetItemEstimate');

export async function getItemEstimate(ctx: EasContext): Promise<void> {
  const doc = await readDoc(ctx);
  if (doc === undefined || doc.name !== 'GetItemEstimate') throw new HttpAnswer(400, 'GetItemEstimate needs a body');
  const responses = childrenNamed(child(doc, 'Collections'), 'Collection').map((c) => {
    const id = childText(c, 'CollectionId', 'GetItemEstimate') ?? '';
    const key = childText(c, 'SyncKey', 'AirSync');
    const state = ctx.device.collections.get(id);
    // Status 2: the collection is invalid or not found.
    if (folderById(id) === undefined) return g('Response', g('Status', '2'), g('Collection', g('CollectionId', id)));
    if (state === undefined || key !== String(state.key)) {
      return g('Response', g('Status', '4'), g('Collection', g('CollectionId', id)));
    }
    const estimate = ctx.mailbox.list(id).filter((m) => !state.sent.has(m.serverId)).length;
    return g('Response', g('Status', '1'), g('Collection', g('CollectionId', id), g('Estimate', String(estimate))));
  });
  sendWbxml(ctx, g('GetItemEstimate', responses));
}

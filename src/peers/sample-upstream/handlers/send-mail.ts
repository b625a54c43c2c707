/**
 * SendMail ([MS-ASCMD] 2.2.1.17): WBXML ComposeMail (14.0+) or a raw message/rfc822 body
 * (2.5–12.1, docs/protocol.md 1.4). The body is counted as it streams in and never held whole:
 * only the first bytes (up to the decode limit) are kept to read ClientId and recipients.
 * Success is an empty 200; X-Sample-Received-Bytes tells how many bytes arrived.
 */
import { decode } from '../../../wbxml/index.js';
import { WBXML_CONTENT_TYPE } from '../../common/protocol.js';
import { bytesOf, child, childText, page } from '../../common/tree.js';
import { addressOf } from '../auth.js';
import { sendEmpty, sendWbxml, type EasContext } from '../context.js';
import { SENT_ID } from '../mailbox.js';

export const RECEIVED_BYTES_HEADER = 'X-Sample-Received-Bytes';
const c = page('ComposeMail');

export async function sendMail(ctx: EasContext): Promise<void> {
  const contentType = (ctx.req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const limit = ctx.options.sendMailDecodeLimitBytes;
  const kept: Buffer[] = [];
  let keptBytes = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    ctx.record.bodyBytes += chunk.length;
    if (keptBytes < limit) {
      const part = chunk.subarray(0, limit - keptBytes);
      kept.push(part);
      keptBytes += part.length;
    }
  }
  const bytes = ctx.record.bodyBytes;
  const head = Buffer.concat(kept);
  let mime: Buffer | undefined = head;
  let mimeBytes: number | undefined = bytes;
  let clientId: string | undefined;
  let saveInSent = ctx.query.params.SaveInSent === 'T';
  if (contentType === WBXML_CONTENT_TYPE || contentType === 'application/vnd.ms-sync') {
    mime = undefined;
    mimeBytes = undefined;
    if (bytes === head.length) {
      let doc;
      try {
        doc = decode(head);
      } catch {
        // Status 102 InvalidWBXML ([MS-ASCMD] 2.2.2).
        return sendWbxml(ctx, c('SendMail', c('Status', '102')));
      }
      clientId = childText(doc, 'ClientId');
      saveInSent ||= child(doc, 'SaveInSentItems') !== undefined;
      mime = bytesOf(child(doc, 'Mime') ?? child(doc, 'MIME'));
      mimeBytes = mime?.length;
    }
  }
  ctx.control.lastSendMail = { user: ctx.user.name, deviceId: ctx.device.deviceId, contentType, bytes, mimeBytes, clientId, saveInSent };
  if (mime !== undefined) file(ctx, mime, saveInSent);
  sendEmpty(ctx, 200, { [RECEIVED_BYTES_HEADER]: String(bytes) });
}

/** Delivers the message to local recipients and, if asked, to the sender's Sent Items. */
function file(ctx: EasContext, mime: Buffer, saveInSent: boolean): void {
  const text = mime.subarray(0, 64 * 1024).toString('utf8');
  const end = text.search(/\r?\n\r?\n/);
  const headerText = (end < 0 ? text : text.slice(0, end)).replace(/\r?\n[ \t]+/g, ' ');
  const header = (name: string): string =>
    headerText.split(/\r?\n/).find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`))?.slice(name.length + 1).trim() ?? '';
  const body = end < 0 ? '' : text.slice(end).replace(/^\s+/, '').slice(0, 4096);
  const mail = { from: header('From') || addressOf(ctx.user), to: header('To'), subject: header('Subject'), body };
  const recipients = `${header('To')},${header('Cc')}`.toLowerCase();
  for (const u of ctx.options.users) {
    if (recipients.includes(addressOf(u).toLowerCase())) ctx.control.deliver(u.name, mail);
  }
  if (saveInSent) ctx.mailbox.add({ ...mail, folderId: SENT_ID, read: true });
}

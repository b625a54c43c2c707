/**
 * Routes an identified, authenticated request to its command handler, after the
 * provisioning check that Exchange, Z-Push and grommunio make.
 */
import { versionAtLeast } from '../common/protocol.js';
import { capabilityHeaders, HttpAnswer, readBody, sendEmpty, sendWbxml, statusDoc, type CommandHandler, type EasContext } from './context.js';
import { folderSync } from './handlers/folder-sync.js';
import { getItemEstimate } from './handlers/get-item-estimate.js';
import { ping } from './handlers/ping.js';
import { provision } from './handlers/provision.js';
import { sendMail } from './handlers/send-mail.js';
import { settings } from './handlers/settings.js';
import { sync } from './handlers/sync.js';

const HANDLERS = new Map<string, CommandHandler>([
  ['Sync', sync],
  ['SendMail', sendMail],
  ['FolderSync', folderSync],
  ['GetItemEstimate', getItemEstimate],
  ['Settings', settings],
  ['Ping', ping],
  ['Provision', provision],
]);

/** What OPTIONS lists in MS-ASProtocolCommands. */
export const HANDLED_COMMANDS: readonly string[] = Object.freeze([...HANDLERS.keys()]);

export async function dispatch(ctx: EasContext): Promise<void> {
  const handler = HANDLERS.get(ctx.command.name);
  if (handler === undefined) {
    await readBody(ctx.req, Infinity, ctx.record);
    throw new HttpAnswer(501, `${ctx.command.name} is not implemented by the sample upstream`);
  }
  if (ctx.options.requireProvisioning && ctx.command.name !== 'Provision' && !provisioned(ctx)) return;
  await handler(ctx);
}

/**
 * Exchange compares the client's key with the device's: none or 0 → 142, another → 144;
 * HTTP 449 for < 14.0, HTTP 200 + Status for 14.0+ (docs/protocol.md 2.2, 3.4; [MS-ASPROV] 3.2.5.2).
 */
function provisioned(ctx: EasContext): boolean {
  const sent = ctx.record.policyKey;
  const expected = ctx.device.policyKey;
  if (expected !== undefined && sent === expected) return true;
  ctx.req.resume();
  if (!versionAtLeast(ctx.version, '14.0')) {
    sendEmpty(ctx, 449, capabilityHeaders(ctx.options, HANDLED_COMMANDS));
  } else {
    sendWbxml(ctx, statusDoc(ctx.command, sent === undefined || sent === '0' ? 142 : 144));
  }
  return false;
}

/**
 * Settings ([MS-ASCMD] 2.2.1.18): DeviceInformation Set (stored), UserInformation Get,
 * Oof Get/Set and DevicePassword Set, each answered with Status 1.
 */
import { versionAtLeast } from '../../common/protocol.js';
import { child, elements, page, type WbxmlElement } from '../../common/tree.js';
import { addressOf } from '../auth.js';
import { HttpAnswer, readDoc, sendWbxml, type EasContext } from '../context.js';
import { deviceInformationOf } from './provision.js';

const s = page('Settings');

export async function settings(ctx: EasContext): Promise<void> {
  const doc = await readDoc(ctx);
  if (doc === undefined || doc.name !== 'Settings') throw new HttpAnswer(400, 'Settings needs a Settings body');
  const answers = elements(doc).map((e) => answer(ctx, e));
  sendWbxml(ctx, s('Settings', s('Status', '1'), answers));
}

function answer(ctx: EasContext, e: WbxmlElement): WbxmlElement | undefined {
  switch (e.name) {
    case 'DeviceInformation': {
      const info = deviceInformationOf(e);
      if (info !== undefined) ctx.device.deviceInformation = { ...ctx.device.deviceInformation, ...info };
      return s('DeviceInformation', s('Status', info === undefined ? '2' : '1'));
    }
    case 'UserInformation':
      return s('UserInformation', s('Status', '1'), s('Get', userInformation(ctx)));
    case 'Oof':
      return s('Oof', s('Status', '1'), child(e, 'Get') === undefined ? undefined : s('Get', s('OofState', '0')));
    case 'DevicePassword':
      return s('DevicePassword', s('Status', '1'));
    default:
      return undefined;
  }
}

/** 14.1+ answers with Accounts; older versions with EmailAddresses ([MS-ASCMD] 2.2.3.190). */
function userInformation(ctx: EasContext): WbxmlElement[] {
  const address = addressOf(ctx.user);
  if (!versionAtLeast(ctx.version, '14.1')) return [s('EmailAddresses', s('SmtpAddress', address))];
  return [
    s(
      'Accounts',
      s(
        'Account',
        s('UserDisplayName', ctx.user.displayName ?? ctx.user.name),
        s('EmailAddresses', s('PrimarySmtpAddress', address)),
      ),
    ),
  ];
}

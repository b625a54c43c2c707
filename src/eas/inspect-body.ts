import type { CommandInfo } from './commands.js';
import { readProvisionRequest, readSettingsRequest, type DeviceInformation, type ProvisionRequest, type SettingsRequest } from './device-info.js';

/** What the gateway learnt from a Provision or Settings body (the commands flagged inspectBody). */
export type InspectedBody =
  | { readonly command: 'Provision'; readonly provision: ProvisionRequest; readonly deviceInformation: DeviceInformation | undefined }
  | { readonly command: 'Settings'; readonly settings: SettingsRequest; readonly deviceInformation: DeviceInformation | undefined };

/**
 * Reads an inspected command's body (throws only WbxmlError). DeviceInformation comes in
 * the initial Provision for 14.1+ ([MS-ASPROV] 2.2.2.53) and in Settings for 12.1/14.0
 * ([MS-ASCMD] 2.2.3.45); either way it ends up in `deviceInformation`.
 */
export function inspectBody(command: CommandInfo, body: Uint8Array): InspectedBody | undefined {
  switch (command.name) {
    case 'Provision': {
      const provision = readProvisionRequest(body);
      return { command: 'Provision', provision, deviceInformation: provision.deviceInformation };
    }
    case 'Settings': {
      const settings = readSettingsRequest(body);
      return { command: 'Settings', settings, deviceInformation: settings.deviceInformation };
    }
    default:
      return undefined;
  }
}

/** The fields of an inspected body that belong in the request log line (no phone number: it is personal data). */
export function inspectedLogFields(i: InspectedBody): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const d = i.deviceInformation;
  if (d !== undefined) {
    if (d.model !== undefined) out.model = d.model;
    if (d.os !== undefined) out.os = d.os;
    if (d.friendlyName !== undefined) out.friendlyName = d.friendlyName;
    if (d.userAgent !== undefined) out.deviceUserAgent = d.userAgent;
    if (d.osLanguage !== undefined) out.osLanguage = d.osLanguage;
    if (d.mobileOperator !== undefined) out.mobileOperator = d.mobileOperator;
  }
  if (i.command === 'Provision') {
    out.provision = i.provision.phase;
    if (i.provision.policyType !== undefined) out.policyType = i.provision.policyType;
    if (i.provision.wipeAck !== undefined) out.wipeAck = i.provision.wipeAck;
  }
  return out;
}

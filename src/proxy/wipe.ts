import { commandStatusAnswer, provisionWipeDirective } from '../eas/answers.js';
import type { DeviceRequest } from '../eas/device-request.js';
import type { ProvisionRequest } from '../eas/device-info.js';
import { refusal } from '../eas/refusal.js';
import type { Association, WipeStatus } from '../policy/index.js';
import type { AssociationPatch } from '../store/index.js';

/** What the gateway answers a device with a wipe on record, and what it records. */
export interface WipeAnswer {
  readonly httpStatus: number;
  readonly body: Buffer | undefined;
  /** Fields to store (undefined: nothing changes). */
  readonly patch: AssociationPatch | undefined;
  /** For the log line. */
  readonly step: 'directive' | 'acknowledged' | 'provision-required';
}

/** True once a wipe is ordered: from then on the device gets only the wipe, until an admin removes the association. */
export function wipeOrdered(a: Pick<Association, 'wipeStatus'> | null | undefined): boolean {
  return a?.wipeStatus !== undefined;
}

const ACK_OK: Buffer = commandStatusAnswer('Provision', 1)!;

/**
 * The gateway delivers a wipe itself, whatever the upstream does ([MS-ASPROV] 3.2.5.1.2.2,
 * docs/protocol.md 3.3): every command but Provision is told to provision (Status 140
 * RemoteWipeRequested from 14.0 on; before that HTTP 449 when the device sent a policy key,
 * 403 without one, as Exchange does); a Provision gets the RemoteWipe (or, ordered for a
 * 16.1 device, AccountOnlyRemoteWipe) directive, and its acknowledgement is recorded. The
 * directive is marked sent once (WipePending → WipeSent); later Provisions get it again.
 */
export function wipeAnswer(r: DeviceRequest, a: Association, provision: ProvisionRequest | undefined, now: number): WipeAnswer {
  if (r.command?.name === 'Provision') {
    if (provision?.phase === 'wipe-acknowledgement' && provision.wipeAck !== undefined) {
      const status: WipeStatus = provision.wipeAck.status === 1 ? 'WipeSucceeded' : 'WipeFailed';
      return { httpStatus: 200, body: ACK_OK, patch: { wipeStatus: status, wipeAckAt: now }, step: 'acknowledged' };
    }
    const body = provisionWipeDirective({ accountOnly: a.wipeAccountOnly === true });
    const patch: AssociationPatch | undefined = a.wipeStatus === 'WipePending' ? { wipeStatus: 'WipeSent', wipeSentAt: now } : undefined;
    return { httpStatus: 200, body, patch, step: 'directive' };
  }
  const hasKey = r.policyKey !== undefined && r.policyKey !== '' && r.policyKey !== '0';
  const answer = refusal(r.command, r.protocolVersion, 140);
  if (answer.httpStatus === 200) return { httpStatus: 200, body: answer.body, patch: undefined, step: 'provision-required' };
  return { httpStatus: hasKey ? 449 : 403, body: undefined, patch: undefined, step: 'provision-required' };
}

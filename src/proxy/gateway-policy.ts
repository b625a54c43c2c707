/**
 * The device path's answers for a device whose ActiveSync policy the gateway owns
 * (src/policy/eas-policy; the key check in eas/policy-key-check.ts): the outcome of the
 * check turned into the HTTP answer and the fields the association keeps. A device that
 * provisions more often than the loop guard allows is told to come back later (503 with
 * Retry-After) instead of looping for ever.
 */
import type { DeviceRequest } from '../eas/device-request.js';
import type { InspectedBody } from '../eas/inspect-body.js';
import { checkPolicyKey, type KeyCheckOutcome, type PolicyKeys } from '../eas/policy-key-check.js';
import { provisionAckAnswer, provisionPolicyAnswer } from '../eas/provision-policy.js';
import type { Association, PolicyChoice } from '../policy/index.js';
import type { AssociationPatch } from '../store/index.js';
import type { ProvisionLoopGuard } from './provision-loop.js';

/** The gateway policy in force for one device, with that device's keys. */
export interface OwnedPolicy {
  readonly choice: PolicyChoice;
  readonly keys: PolicyKeys;
}

export interface OwnedPolicyAnswer {
  readonly httpStatus: number;
  readonly body: Buffer | undefined;
  readonly headers?: Record<string, string>;
  /** Fields the association keeps (undefined: nothing changes). */
  readonly patch: AssociationPatch | undefined;
  /** For the log line: issued, confirmed, wrong-key, provision-required-142, looping, … */
  readonly step: string;
}

/** What the gateway answers itself (every outcome but forward). */
export type LocalOutcome = Exclude<KeyCheckOutcome, { kind: 'forward' }>;

/** The key check for this request; undefined when the request is forwarded as it is. */
export function ownedPolicyOutcome(r: DeviceRequest, a: Association | null, owned: OwnedPolicy, inspected: InspectedBody | undefined, now: number): LocalOutcome | undefined {
  const outcome = checkPolicyKey({
    command: r.command,
    protocolVersion: r.protocolVersion,
    policyKey: r.policyKey,
    provision: inspected?.command === 'Provision' ? inspected.provision : undefined,
    policy: owned.choice.compiled,
    keys: owned.keys,
    record: { key: a?.policyKey, revision: a?.policyRevision, keyAt: a?.policyKeyAt },
    now,
  });
  return outcome.kind === 'forward' ? undefined : outcome;
}

export function ownedPolicyAnswer(
  r: DeviceRequest,
  deviceId: string,
  user: string,
  owned: OwnedPolicy,
  outcome: LocalOutcome,
  inspected: InspectedBody | undefined,
  loops: ProvisionLoopGuard,
  now: number,
): OwnedPolicyAnswer {
  const version = r.protocolVersion ?? '14.1';
  const answer = { protocolVersion: version, deviceInformation: inspected?.deviceInformation !== undefined && Number(version) >= 14.1 };
  switch (outcome.kind) {
    case 'issue': {
      const loop = loops.note(`${user}/${deviceId.toLowerCase()}`, now);
      if (loop.looping) return { httpStatus: 503, body: undefined, headers: { 'retry-after': String(loop.retryAfterSeconds) }, patch: undefined, step: `looping-${loop.count}` };
      return { httpStatus: 200, body: provisionPolicyAnswer({ ...answer, policyKey: outcome.temporaryKey }, owned.choice.compiled.settings), patch: undefined, step: 'issued' };
    }
    case 'confirm': {
      const c = owned.choice.compiled;
      const patch: AssociationPatch = { policyName: c.policy.name, policyKey: outcome.finalKey, policyRevision: c.revision, policyKeyAt: now, policyApplication: outcome.application };
      return { httpStatus: 200, body: provisionAckAnswer({ ...answer, policyKey: outcome.finalKey }, 'accepted'), patch, step: 'confirmed' };
    }
    case 'wrong-acknowledgement':
      return { httpStatus: 200, body: provisionAckAnswer({ ...answer, policyKey: '' }, 'wrong-key'), patch: undefined, step: 'wrong-key' };
    case 'provision-required':
      return { httpStatus: outcome.answer.httpStatus, body: outcome.answer.body, patch: undefined, step: `provision-required-${outcome.status}` };
  }
}

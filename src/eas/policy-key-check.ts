/**
 * What the gateway does with a request of a device whose policy it owns ([MS-ASPROV]
 * 3.2.5.1, docs/protocol.md 3.4), as a small table of outcomes over pure facts:
 * - Provision: the initial request gets the policy and the temporary key; the
 *   acknowledgement of that key gets the final key (and says how the device applied the
 *   policy); an acknowledgement of any other key gets Policy Status 5.
 * - Any other command must carry the final key of the policy now in force: no key (or 0) is
 *   142 DeviceNotProvisioned, a key of an earlier policy or one older than the refresh
 *   interval 143 PolicyRefresh, any other key 144 InvalidPolicyKey. Before 14.0 each is
 *   HTTP 449. A device the policy lets sync without provisioning
 *   (allowNonProvisionableDevices) and that never provisioned is let through.
 *
 * Keys are derived, not stored: HMAC(secret, user, device, policy revision), the same on
 * every replica, so that an acknowledgement may reach another replica than the initial
 * request, before the association is even written, and a new policy revision means new keys.
 */
import { createHmac } from 'node:crypto';
import type { CommandInfo } from './commands.js';
import type { ProvisionRequest } from './device-info.js';
import { refusal, type Refusal } from './refusal.js';
import type { PolicyApplication } from '../policy/model.js';

/** The gateway policy in force for the device. */
export interface PolicyInForce {
  /** changes whenever what the device is asked to apply changes */
  readonly revision: string;
  readonly allowNonProvisionableDevices: boolean;
  /** 0: never */
  readonly refreshIntervalSeconds: number;
}

/** What the association keeps of the gateway's provisioning (absent for a device never provisioned). */
export interface ProvisionRecord {
  /** the final key the device was given */
  readonly key?: string | undefined;
  /** the policy revision of that key */
  readonly revision?: string | undefined;
  /** when it was given (epoch ms) */
  readonly keyAt?: number | undefined;
}

export interface PolicyKeys {
  readonly temporary: string;
  readonly final: string;
}

/** A non-zero uint32 in decimal ([MS-ASPROV] 2.2.2.42: it must fit the base64 query's 4 bytes). */
function keyOf(secret: string, ...parts: string[]): string {
  return String(createHmac('sha256', secret).update(parts.join('\0')).digest().readUInt32LE(0) || 1);
}

/** The device's keys for one policy revision. */
export function policyKeysFor(secret: string, user: string, deviceKey: string, revision: string): PolicyKeys {
  return { temporary: keyOf(secret, 'temporary', user, deviceKey, revision), final: keyOf(secret, 'final', user, deviceKey, revision) };
}

const APPLICATION: Record<number, PolicyApplication> = { 1: 'applied', 2: 'partially-applied', 3: 'not-applied', 4: 'externally-managed' };

export type KeyCheckOutcome =
  | { readonly kind: 'forward' }
  | { readonly kind: 'issue'; readonly temporaryKey: string }
  | { readonly kind: 'confirm'; readonly finalKey: string; readonly application: PolicyApplication }
  | { readonly kind: 'wrong-acknowledgement' }
  | { readonly kind: 'provision-required'; readonly status: 142 | 143 | 144; readonly answer: Refusal };

const RETRY_AFTER_PROVISION: Refusal = Object.freeze({ httpStatus: 449, body: undefined });

/** 449 before 14.0 ([MS-ASHTTP] 2.2.2.1.1); from 14.0 on the command's own Status N, 449 where the command has no WBXML answer. */
export function provisionRequired(command: CommandInfo | undefined, version: string | undefined, status: 142 | 143 | 144): Refusal {
  const r = refusal(command, version, status);
  return r.body === undefined ? RETRY_AFTER_PROVISION : r;
}

export interface KeyCheckInput {
  readonly command: CommandInfo | undefined;
  readonly protocolVersion: string | undefined;
  /** X-MS-PolicyKey or the base64 query's key */
  readonly policyKey: string | undefined;
  /** the decoded Provision body (Provision only) */
  readonly provision: ProvisionRequest | undefined;
  readonly policy: PolicyInForce;
  readonly keys: PolicyKeys;
  readonly record: ProvisionRecord;
  readonly now: number;
}

export function checkPolicyKey(i: KeyCheckInput): KeyCheckOutcome {
  if (i.command === undefined) return { kind: 'forward' };
  if (i.command.name === 'Provision') return provisionOutcome(i);
  const key = i.policyKey === undefined || i.policyKey === '' || i.policyKey === '0' ? undefined : i.policyKey;
  let status: 142 | 143 | 144 | undefined;
  if (key === undefined) status = i.policy.allowNonProvisionableDevices && i.record.key === undefined ? undefined : 142;
  else if (key !== i.keys.final) status = i.record.key === key && i.record.revision !== i.policy.revision ? 143 : 144;
  else if (i.policy.refreshIntervalSeconds > 0 && i.record.keyAt !== undefined && i.now - i.record.keyAt > i.policy.refreshIntervalSeconds * 1000) status = 143;
  if (status === undefined) return { kind: 'forward' };
  return { kind: 'provision-required', status, answer: provisionRequired(i.command, i.protocolVersion, status) };
}

function provisionOutcome(i: KeyCheckInput): KeyCheckOutcome {
  const p = i.provision;
  if (p?.phase === 'acknowledgement') {
    if (p.policyKey !== i.keys.temporary) return { kind: 'wrong-acknowledgement' };
    return { kind: 'confirm', finalKey: i.keys.final, application: APPLICATION[p.policyStatus ?? 0] ?? 'unknown' };
  }
  // The initial request (and a Provision the gateway cannot read, which it answers the same way).
  return { kind: 'issue', temporaryKey: i.keys.temporary };
}

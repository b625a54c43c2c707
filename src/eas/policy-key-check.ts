/**
 * What the gateway does with a request of a device whose policy it owns ([MS-ASPROV]
 * 3.2.5.1, docs/protocol.md 3.4), as a small table of outcomes over pure facts:
 * - Provision: the initial request gets the policy and a temporary key; the acknowledgement
 *   of that key gets the final key (and records how the device applied it); an
 *   acknowledgement of any other key gets Policy Status 5.
 * - Any other command must carry the final key of the policy now in force: no key (or 0) is
 *   142 DeviceNotProvisioned, another key 144 InvalidPolicyKey, a key of an earlier policy or
 *   one older than the refresh interval 143 PolicyRefresh. Before 14.0 each is HTTP 449.
 *   A device the policy lets sync without provisioning (allowNonProvisionableDevices) and
 *   that never sent a key is let through.
 */
import { randomBytes } from 'node:crypto';
import type { CommandInfo } from './commands.js';
import type { ProvisionRequest } from './device-info.js';
import { refusal, type Refusal } from './refusal.js';
import type { PolicyApplication } from '../policy/model.js';

/** The gateway policy in force for the device. */
export interface PolicyInForce {
  /** changes whenever the policy's settings change (a digest of the served document) */
  readonly revision: string;
  readonly allowNonProvisionableDevices: boolean;
  /** 0: never */
  readonly refreshIntervalSeconds: number;
}

/** What the association keeps of the gateway's provisioning. */
export interface ProvisionRecord {
  /** the temporary key handed out and not yet acknowledged */
  readonly pendingKey?: string | undefined;
  /** the final key the device must send */
  readonly key?: string | undefined;
  /** the policy revision the final key was issued for */
  readonly revision?: string | undefined;
  /** when the final key was issued (epoch ms) */
  readonly keyAt?: number | undefined;
}

const APPLICATION: Record<number, PolicyApplication> = { 1: 'applied', 2: 'partially-applied', 3: 'not-applied', 4: 'externally-managed' };

export type KeyCheckOutcome =
  | { readonly kind: 'forward' }
  | { readonly kind: 'issue'; readonly temporaryKey: string }
  | { readonly kind: 'confirm'; readonly finalKey: string; readonly application: PolicyApplication }
  | { readonly kind: 'wrong-acknowledgement' }
  | { readonly kind: 'provision-required'; readonly status: 142 | 143 | 144; readonly answer: Refusal };

/** A random non-zero uint32 in decimal ([MS-ASPROV] 2.2.2.42: it must fit the base64 query's 4 bytes). */
export function newPolicyKey(): string {
  return String(randomBytes(4).readUInt32LE(0) || 1);
}

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
  readonly record: ProvisionRecord;
  readonly now: number;
}

export function checkPolicyKey(i: KeyCheckInput): KeyCheckOutcome {
  if (i.command === undefined) return { kind: 'forward' };
  if (i.command.name === 'Provision') return provisionOutcome(i);
  const key = i.policyKey === undefined || i.policyKey === '' || i.policyKey === '0' ? undefined : i.policyKey;
  const stale = (): boolean =>
    i.record.revision !== i.policy.revision || (i.policy.refreshIntervalSeconds > 0 && i.now - (i.record.keyAt ?? 0) > i.policy.refreshIntervalSeconds * 1000);
  let status: 142 | 143 | 144 | undefined;
  if (key === undefined) status = i.policy.allowNonProvisionableDevices && i.record.key === undefined ? undefined : 142;
  else if (key !== i.record.key) status = 144;
  else if (stale()) status = 143;
  if (status === undefined) return { kind: 'forward' };
  return { kind: 'provision-required', status, answer: provisionRequired(i.command, i.protocolVersion, status) };
}

function provisionOutcome(i: KeyCheckInput): KeyCheckOutcome {
  const p = i.provision;
  if (p?.phase === 'acknowledgement') {
    if (p.policyKey === undefined || p.policyKey !== i.record.pendingKey) return { kind: 'wrong-acknowledgement' };
    return { kind: 'confirm', finalKey: newPolicyKey(), application: APPLICATION[p.policyStatus ?? 0] ?? 'unknown' };
  }
  // The initial request (and a Provision the gateway cannot read, which it answers the same way).
  return { kind: 'issue', temporaryKey: newPolicyKey() };
}

/**
 * Which gateway ActiveSync policy is in force for a device, most specific first: the one
 * assigned to the device itself, the mailbox's, the domain's, the organisation's; none
 * means the upstream's own policy passes through. Policies are compiled once per snapshot
 * (every setting's value and a revision that changes with any setting), so that the device
 * path only looks names up.
 */
import { createHash } from 'node:crypto';
import type { SettingValue } from './settings.js';
import { effectiveSettings, type EasPolicy } from './document.js';

export interface CompiledEasPolicy {
  readonly policy: EasPolicy;
  /** every setting's value, defaults filled in */
  readonly settings: ReadonlyMap<string, SettingValue>;
  /** a digest of what the device is asked to apply: a new one makes devices provision again */
  readonly revision: string;
  readonly allowNonProvisionableDevices: boolean;
  readonly refreshIntervalSeconds: number;
}

export function compileEasPolicy(policy: EasPolicy): CompiledEasPolicy {
  const settings = effectiveSettings(policy.settings);
  const digest = createHash('sha256').update(JSON.stringify([...settings, policy.allowNonProvisionableDevices, policy.refreshIntervalSeconds])).digest('base64url');
  return Object.freeze({
    policy,
    settings,
    revision: digest.slice(0, 16),
    allowNonProvisionableDevices: policy.allowNonProvisionableDevices,
    refreshIntervalSeconds: policy.refreshIntervalSeconds,
  });
}

/** Where the policy in force comes from. */
export type PolicySource = 'device' | 'mailbox' | 'domain' | 'organization';

export interface PolicyChoice {
  readonly compiled: CompiledEasPolicy;
  readonly source: PolicySource;
}

/**
 * The first assignment that names a policy that exists. An assignment naming a policy that
 * no longer exists is skipped (deleting a policy in use is refused; this covers a policy
 * file edited by hand).
 */
export function choosePolicy(
  policies: ReadonlyMap<string, CompiledEasPolicy>,
  names: { readonly device?: string | undefined; readonly mailbox?: string | undefined; readonly domain?: string | undefined; readonly organization?: string | undefined },
): PolicyChoice | undefined {
  if (policies.size === 0) return undefined;
  for (const source of ['device', 'mailbox', 'domain', 'organization'] as const) {
    const name = names[source];
    const compiled = name === undefined ? undefined : policies.get(name);
    if (compiled !== undefined) return { compiled, source };
  }
  return undefined;
}

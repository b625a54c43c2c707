import {
  ACCESS_LEVELS,
  ACCESS_REASONS,
  accessStateOf,
  type AccessLevel,
  type AccessReason,
  type AccessState,
} from './model.js';

/**
 * The in-body EAS status a refused request gets at 14.0 and later (docs/protocol.md 2.2): 126
 * UserDisabledForSync when the mailbox, its domain, the system or the license refuses the
 * user; 129 DeviceIsBlockedForThisUser for a refused device (and, until the quarantine
 * experience exists, a quarantined one). Earlier versions get HTTP 403 with no body.
 */
export type RefusalStatus = 126 | 129;

export interface Decision {
  readonly access: AccessLevel;
  readonly state: AccessState;
  readonly reason: AccessReason;
  readonly ruleId?: string;
  /** Set when access is not Allow. */
  readonly status?: RefusalStatus;
}

const USER_REFUSALS: ReadonlySet<AccessReason> = new Set(['SystemDisabled', 'DomainDisabled', 'UserDisabled', 'License']);

export function makeDecision(access: AccessLevel, reason: AccessReason, ruleId?: string): Decision {
  const d: { -readonly [K in keyof Decision]: Decision[K] } = { access, state: accessStateOf(access), reason };
  if (ruleId !== undefined) d.ruleId = ruleId;
  if (access !== 'Allow') d.status = USER_REFUSALS.has(reason) ? 126 : 129;
  return Object.freeze(d);
}

type Table = { readonly [R in AccessReason]: { readonly [L in AccessLevel]: Decision } };

/** Every rule-less decision, built once: evaluate hands these out and allocates nothing. */
export const DECISIONS: Table = Object.freeze(
  Object.fromEntries(
    ACCESS_REASONS.map((r) => [r, Object.freeze(Object.fromEntries(ACCESS_LEVELS.map((l) => [l, makeDecision(l, r)])))]),
  ),
) as Table;

/**
 * First contact: the model and OS are not known yet, so rules on them cannot be applied;
 * OPTIONS, Provision and Settings pass so that DeviceInformation arrives (docs/protocol.md 2.3).
 */
export const DISCOVERY: Decision = Object.freeze({ access: 'Allow', state: 'DeviceDiscovery', reason: 'Global' });

/** True when the association's recorded verdict differs from the decision (a state change to record). */
export function stateDiffers(
  current: { accessState: AccessState; accessReason: AccessReason; matchedRuleId?: string | undefined } | undefined,
  d: Decision,
): boolean {
  return (
    current === undefined ||
    current.accessState !== d.state ||
    current.accessReason !== d.reason ||
    current.matchedRuleId !== d.ruleId
  );
}

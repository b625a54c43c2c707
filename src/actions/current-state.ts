import { buildSnapshot, compileMailbox, deviceKey, evaluate, type AccessReason, type AccessState, type Association, type MailboxPolicy, type PolicySnapshot } from '../policy/index.js';
import type { Store } from '../store/index.js';

/**
 * The access state an association shows: the decision the device's next request would get,
 * evaluated with the current policy (the same `evaluate` as the device path), not the verdict
 * recorded at its last request, which goes stale when the system switch, the license, a
 * domain, a rule or a default changes (and changes back) while the device is away. The
 * recorded verdict and its time stay beside it (recordedAccessState…) and in the history.
 */
export interface CurrentAssociation extends Association {
  recordedAccessState: AccessState;
  recordedAccessReason: AccessReason;
  recordedRuleId?: string;
  recordedAccessStateAt?: number;
}

/** The policy for one admin call: the snapshot read once, mailboxes read once per user. */
export class PolicyView {
  private snapshot: Promise<PolicySnapshot> | undefined;
  private readonly mailboxes = new Map<string, Promise<MailboxPolicy | undefined>>();

  constructor(
    private readonly store: Store,
    private readonly now: number,
  ) {}

  private mailbox(user: string): Promise<MailboxPolicy | undefined> {
    let m = this.mailboxes.get(user);
    if (m === undefined) {
      m = this.store.getMailbox(user).then((mb) => (mb === undefined ? undefined : compileMailbox(mb)));
      this.mailboxes.set(user, m);
    }
    return m;
  }

  /** The associations with their current access state (same order). */
  async judge(batch: readonly Association[]): Promise<CurrentAssociation[]> {
    if (batch.length === 0) return [];
    this.snapshot ??= this.store.loadPolicy().then(buildSnapshot);
    const snapshot = await this.snapshot;
    const mailboxes = await Promise.all(batch.map((a) => this.mailbox(a.user)));
    return batch.map((a, i) => current(snapshot, mailboxes[i], a, this.now));
  }
}

export function current(snapshot: PolicySnapshot, mailbox: MailboxPolicy | undefined, a: Association, now: number): CurrentAssociation {
  // A device still in discovery asks with a discovery command first; any other with a Sync.
  const command = a.accessState === 'DeviceDiscovery' ? 'Provision' : 'Sync';
  const d = evaluate(snapshot, mailbox, a, { command, user: a.user, deviceKey: deviceKey(a.deviceId), deviceType: a.deviceType, userAgent: a.userAgent, now });
  const out: CurrentAssociation = { ...a, accessState: d.state, accessReason: d.reason, recordedAccessState: a.accessState, recordedAccessReason: a.accessReason };
  delete out.matchedRuleId;
  if (d.ruleId !== undefined) out.matchedRuleId = d.ruleId;
  if (a.matchedRuleId !== undefined) out.recordedRuleId = a.matchedRuleId;
  if (a.accessStateAt !== undefined) out.recordedAccessStateAt = a.accessStateAt;
  return out;
}

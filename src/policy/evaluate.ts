import { DECISIONS, DISCOVERY, type Decision } from './decision.js';
import { domainOf, type Association } from './model.js';
import type { IndexedRule, MailboxPolicy, PolicySnapshot } from './snapshot.js';

/** What `evaluate` needs to know of the request; the proxy builds one per request. */
export interface EvalRequest {
  /** Command name as the registry spells it ('Sync', 'Provision', …) or 'OPTIONS'. */
  readonly command: string | undefined;
  /** Normalised user (the authenticated identity). */
  readonly user: string;
  /** Lower-cased device ID. */
  readonly deviceKey: string;
  readonly deviceType: string | undefined;
  readonly userAgent: string | undefined;
  /** DeviceInformation carried by this request's Provision/Settings body, if any. */
  readonly model?: string | undefined;
  readonly os?: string | undefined;
  /** Epoch ms (the license expiry is checked against it). */
  readonly now: number;
}

/** Commands that pass while the device's model and OS are unknown (docs/protocol.md 2.3, 4). */
export const DISCOVERY_COMMANDS: ReadonlySet<string> = new Set(['OPTIONS', 'Provision', 'Settings']);

type Assoc = Partial<Pick<Association, 'model' | 'os' | 'userAgent' | 'deviceType' | 'deviceInfoAt' | 'accessState' | 'backendDeviceId'>>;

/**
 * Decides whether this device of this mailbox may sync. Pure, no I/O, and it allocates
 * nothing: every Decision it returns is pre-built (DECISIONS, or the rule's own in the
 * snapshot). Order (Exchange's ABQ, docs/protocol.md 6.1): system off → domain off →
 * mailbox off → license → mailbox blocked list → mailbox allowed list → device-ID list →
 * not linked to a registered backend device (unregisteredAccessLevel, unless Allow) → rules (UserAgent, DeviceOS, DeviceModel, DeviceType) → user default → domain default →
 * organisation default. `mailbox` undefined: the user has no mailbox record yet (new user).
 */
export function evaluate(
  snapshot: PolicySnapshot,
  mailbox: MailboxPolicy | null | undefined,
  association: Assoc | null | undefined,
  request: EvalRequest,
): Decision {
  if (!snapshot.systemEnabled) return DECISIONS.SystemDisabled.Block;
  const domain = snapshot.domains.get(mailbox ? mailbox.domain : domainOf(request.user));
  if (domain !== undefined && !domain.activeSyncEnabled) return DECISIONS.DomainDisabled.Block;
  if (mailbox && !mailbox.enabled) {
    return mailbox.disabledReason === 'License' ? DECISIONS.License.Block : DECISIONS.UserDisabled.Block;
  }
  if (request.now >= snapshot.licenseEndMs) return DECISIONS.License.Block;
  // Over the limit refuses everyone; a user without a mailbox yet would be created disabled.
  const inUse = snapshot.licenseInUse;
  if (inUse > snapshot.licenseTotal || (!mailbox && inUse >= snapshot.licenseTotal)) return DECISIONS.License.Block;

  const key = request.deviceKey;
  if (mailbox) {
    if (mailbox.blocked.has(key)) return DECISIONS.Individual.Block;
    if (mailbox.allowed.has(key)) return DECISIONS.Individual.Allow;
  }
  const listed = snapshot.deviceIds.get(key);
  if (listed !== undefined) return DECISIONS.DeviceIdList[listed.accessLevel];
  // "Only managed devices": explicit lists above win; a level of Allow leaves it to the rules.
  // Discovery still passes, so that the IMEI a registration may name can arrive.
  const unregistered = snapshot.unregisteredAccessLevel;
  if (unregistered !== 'Allow' && association?.backendDeviceId === undefined && !discovering(association, request)) {
    return DECISIONS.Unregistered[unregistered];
  }

  const rules = snapshot.rules;
  const userAgent = request.userAgent ?? association?.userAgent;
  let hit: IndexedRule | undefined = userAgent === undefined ? undefined : rules.UserAgent.get(userAgent);
  if (hit !== undefined) return hit.decision; // most specific: nothing learnt later can override it
  const model = request.model ?? association?.model;
  const os = request.os ?? association?.os;
  // Discovery is first contact only: once a device was decided with what query and headers
  // give (it never sent DeviceInformation), its Provisions are decided the same way, so
  // that its state does not flip between DeviceDiscovery and its verdict.
  if (discovering(association, request)) return DISCOVERY;
  const deviceType = request.deviceType ?? association?.deviceType;
  if (os !== undefined) hit = rules.DeviceOS.get(os);
  if (hit !== undefined) return hit.decision;
  // A device that never sends DeviceInformation is matched by its type as model (Exchange does the same).
  const modelOrType = model ?? deviceType;
  if (modelOrType !== undefined) hit = rules.DeviceModel.get(modelOrType);
  if (hit !== undefined) return hit.decision;
  if (deviceType !== undefined) hit = rules.DeviceType.get(deviceType);
  if (hit !== undefined) return hit.decision;

  const userLevel = mailbox?.defaultAccessLevel;
  if (userLevel !== undefined) return DECISIONS.User[userLevel];
  const domainLevel = domain?.defaultAccessLevel;
  if (domainLevel !== undefined) return DECISIONS.Domain[domainLevel];
  return DECISIONS.Global[snapshot.defaultAccessLevel];
}

/**
 * First contact: no DeviceInformation yet (neither in this request nor recorded), the
 * device still undecided, and a command that discovery lets through.
 */
function discovering(association: Assoc | null | undefined, request: EvalRequest): boolean {
  return (
    request.model === undefined &&
    request.os === undefined &&
    association?.model === undefined &&
    association?.os === undefined &&
    association?.deviceInfoAt === undefined &&
    (association?.accessState === undefined || association.accessState === 'DeviceDiscovery') &&
    request.command !== undefined &&
    DISCOVERY_COMMANDS.has(request.command)
  );
}

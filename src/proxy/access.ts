import type { Logger } from 'pino';
import type { DeviceRequest } from '../eas/device-request.js';
import type { DeviceInformation } from '../eas/device-info.js';
import { GatewayError } from '../errors.js';
import { choosePolicy, deviceKey, domainOf, evaluate, stateDiffers, type Association, type Decision, type MailboxPolicy, type OrganizationSettings, type UserNormalizer } from '../policy/index.js';
import type { AssociationPatch, PolicyRuntime, Store } from '../store/index.js';
import type { SyncRecorder } from '../sync/index.js';
import type { Notifier } from '../notify/index.js';
import type { AuthProbe, ProbeVerdict } from './auth-probe.js';
import { findRegistration, linkFields, pointEarlierIds, registrationMatters } from './device-links.js';
import { policyKeysFor } from '../eas/policy-key-check.js';
import type { OwnedPolicy } from './gateway-policy.js';

/** The decision for one request and what it was made from (kept for the bookkeeping afterwards). */
export interface Verdict {
  readonly decision: Decision;
  /** The authenticated identity, normalised (user@domain, lower case). */
  readonly user: string;
  readonly deviceId: string;
  readonly mailbox: MailboxPolicy | null;
  readonly association: Association | null;
  readonly info: DeviceInformation | undefined;
  readonly at: number;
  /** The registered backend device looked up for this decision (null: none); undefined: not looked up. */
  readonly registered?: string | null;
}

export interface AccessDeps {
  runtime: PolicyRuntime;
  recorder: SyncRecorder;
  store: Store;
  probe: AuthProbe;
  normalizeUser: UserNormalizer;
  instance: string;
  log: Logger;
  /** Notification mail (quarantine, new device, wipe acknowledged); undefined: none. */
  notifier?: Notifier | undefined;
  notifyNewDevices?: boolean;
  /** Base of the links in admin mail (`{base}/associations/{user}/{deviceId}`). */
  adminLinkBase?: string;
  /** The secret gateway policy keys are derived from; undefined: the gateway owns no policy. */
  policyKeySecret?: string;
}

/**
 * The policy stage of the device path: decides from the in-process snapshot and the
 * cached mailbox and association (a store round trip only on a cache miss), and afterwards
 * records what happened, only for requests whose credentials the upstream accepted.
 */
export class AccessControl {
  constructor(private readonly deps: AccessDeps) {}

  /** The organisation settings of the current snapshot (UserMailInsert, admin recipients). */
  organization(): OrganizationSettings {
    return this.deps.runtime.snapshot.data.organization;
  }

  /**
   * The gateway ActiveSync policy in force for the device (its own, its mailbox's, its
   * domain's, the organisation's), with the device's keys; undefined: none, the upstream's
   * own policy passes through. No store round trip: names from the verdict and the snapshot.
   */
  policyFor(v: Verdict): OwnedPolicy | undefined {
    const secret = this.deps.policyKeySecret;
    const snapshot = this.deps.runtime.snapshot;
    if (secret === undefined || snapshot.easPolicies.size === 0) return undefined;
    const choice = choosePolicy(snapshot.easPolicies, {
      device: v.association?.policyAssigned,
      mailbox: v.mailbox?.mailbox.policy,
      domain: snapshot.domains.get(domainOf(v.user))?.policy,
      organization: snapshot.data.organization.policy,
    });
    return choice === undefined ? undefined : { choice, keys: policyKeysFor(secret, v.user, deviceKey(v.deviceId), choice.compiled.revision) };
  }

  /** Credential probes sent to the upstream so far (metrics, tests). */
  get probesSent(): number {
    return this.deps.probe.sent;
  }

  /**
   * Decides for a POST. Returns undefined when the request names nobody the gateway can
   * hold to account (no user in Authorization nor query): it is forwarded and the upstream
   * answers it (401). Synchronous for a cached device; a Promise on a cache miss.
   */
  decide(r: DeviceRequest, info: DeviceInformation | undefined): Verdict | Promise<Verdict> | undefined {
    const raw = r.authUser ?? r.queryUser;
    if (raw === undefined || r.deviceId === undefined) return undefined;
    const user = this.deps.normalizeUser(raw);
    if (r.authUser !== undefined && r.queryUser !== undefined && r.queryUser !== r.authUser && this.deps.normalizeUser(r.queryUser) !== user) {
      // The association is the authenticated identity's; the query's User is only logged.
      this.deps.log.warn({ user, queryUser: r.queryUser, deviceId: r.deviceId }, 'User parameter names someone else than Authorization');
    }
    const key = deviceKey(r.deviceId);
    const { runtime } = this.deps;
    const mailbox = runtime.peekMailbox(user);
    const association = runtime.peekAssociation(user, key);
    const level = runtime.snapshot.unregisteredAccessLevel;
    if (mailbox !== undefined && association !== undefined && !registrationMatters(level, association, info)) {
      return this.verdict(r, user, mailbox, association, info, undefined);
    }
    return this.fetchAndDecide(r, user, key, mailbox, association, info);
  }

  /** The cache-miss path: mailbox and association from the store, and the registered-device lookup when it decides. */
  private async fetchAndDecide(
    r: DeviceRequest,
    user: string,
    key: string,
    cachedMailbox: MailboxPolicy | null | undefined,
    cachedAssociation: Association | null | undefined,
    info: DeviceInformation | undefined,
  ): Promise<Verdict> {
    const { runtime, store } = this.deps;
    try {
      const [m, a] = await Promise.all([
        cachedMailbox !== undefined ? cachedMailbox : runtime.getMailbox(user),
        cachedAssociation !== undefined ? cachedAssociation : runtime.getAssociation(user, key),
      ]);
      const registered = registrationMatters(runtime.snapshot.unregisteredAccessLevel, a, info) ? ((await findRegistration(store, user, r.deviceId!, info)) ?? null) : undefined;
      return this.verdict(r, user, m, a, info, registered);
    } catch (err) {
      throw new GatewayError('EASGATE_ERR_STORE_UNAVAILABLE', undefined, { cause: err });
    }
  }

  private verdict(
    r: DeviceRequest,
    user: string,
    mailbox: MailboxPolicy | null,
    association: Association | null,
    info: DeviceInformation | undefined,
    registered: string | null | undefined,
  ): Verdict {
    const at = Date.now();
    // A registered device the association does not name yet counts as linked (persist links it).
    const seen = typeof registered === 'string' && association?.backendDeviceId === undefined ? { ...association, backendDeviceId: registered } : association;
    const decision = evaluate(this.deps.runtime.snapshot, mailbox, seen, {
      command: r.command?.name,
      user,
      deviceKey: deviceKey(r.deviceId!),
      deviceType: r.deviceType,
      userAgent: r.userAgent,
      model: info?.model,
      os: info?.os,
      now: at,
    });
    const v: Verdict = { decision, user, deviceId: r.deviceId!, mailbox, association, info, at };
    return registered === undefined ? v : { ...v, registered };
  }

  /** Asks the upstream whether a refused device's credentials are good (see AuthProbe). */
  confirmCredentials(r: DeviceRequest, authorization: string | undefined): Promise<ProbeVerdict> {
    if (r.authScheme !== 'basic' && r.authScheme !== 'bearer') return Promise.resolve('unknown');
    return this.deps.probe.check(authorization);
  }

  /**
   * Bookkeeping after the upstream accepted the credentials (it answered a forwarded
   * request with anything but 401, or the probe of a refused one succeeded): creates the
   * mailbox and the association when new (first sync set once across replicas), records
   * a changed verdict with a history entry, stores device details, and queues the
   * last-sync record (written behind). Errors are logged, never thrown at the device.
   */
  record(r: DeviceRequest, v: Verdict, success: boolean): void {
    const { recorder, log } = this.deps;
    recorder.record({
      user: v.user,
      deviceId: v.deviceId,
      at: v.at,
      success,
      ...(r.command !== undefined ? { command: r.command.name } : {}),
      ...(r.protocolVersion !== undefined ? { protocolVersion: r.protocolVersion } : {}),
      ...(r.userAgent !== undefined ? { userAgent: r.userAgent } : {}),
    });
    if (v.mailbox !== null && v.association !== null && v.info === undefined && !stateDiffers(v.association, v.decision)) return;
    void this.persist(r, v).catch((err: unknown) => log.error({ err, user: v.user, deviceId: v.deviceId }, 'recording the association failed'));
  }

  /**
   * Stores fields of an association the upstream authenticated that the gateway itself
   * manages: a wipe's delivery (sent, acknowledged), the quarantine mailbox being served.
   */
  patchAssociation(v: Verdict, patch: AssociationPatch): void {
    const a = v.association;
    if (a === null) return;
    const { store, runtime, log } = this.deps;
    void store
      .updateAssociation(a.user, a.deviceId, patch)
      .then(() => {
        runtime.amendAssociation(a, (c) => applyPatch(c, patch));
        const next = applyPatch(a, patch);
        if (patch.wipeAckAt !== undefined && patch.wipeAckAt !== null) this.tell((n) => n.notifyWipeAcknowledged(next, this.organization(), this.linkBase));
      })
      .catch((err: unknown) => log.error({ err, user: a.user, deviceId: a.deviceId }, 'recording the wipe failed'));
  }

  private async persist(r: DeviceRequest, v: Verdict): Promise<void> {
    const { recorder, runtime, store, instance } = this.deps;
    if (v.mailbox === null) await runtime.ensureMailbox(v.user);
    const details = v.info === undefined ? {} : detailsOf(v.info, v.at);
    if (v.association === null) {
      const backendDeviceId = v.registered !== undefined ? v.registered : await findRegistration(store, v.user, v.deviceId, v.info);
      const { association, created } = await recorder.create({
        user: v.user,
        deviceId: v.deviceId,
        accessState: v.decision.state,
        accessReason: v.decision.reason,
        ...(v.decision.ruleId !== undefined ? { matchedRuleId: v.decision.ruleId } : {}),
        ...(r.deviceType !== undefined ? { deviceType: r.deviceType } : {}),
        ...(r.protocolVersion !== undefined ? { protocolVersion: r.protocolVersion } : {}),
        ...(r.userAgent !== undefined ? { userAgent: r.userAgent } : {}),
        ...details,
        ...(typeof backendDeviceId === 'string' ? linkFields(backendDeviceId, v.at) : {}),
        lastInstance: instance,
        firstSyncAt: v.at,
      });
      if (created) {
        if (details.imei !== undefined) await this.replaceEarlier(association, details.imei);
        if (association.accessState === 'Quarantined') this.tell((n) => n.notifyQuarantine(association, this.organization(), this.linkBase));
        if (this.deps.notifyNewDevices === true) this.tell((n) => n.notifyNewDevice(association));
      }
      return;
    }
    let a = v.association;
    if (v.info !== undefined) {
      const patch: AssociationPatch = { ...details };
      const newImei = details.imei !== undefined && details.imei !== a.imei;
      if (newImei && a.backendDeviceId === undefined) {
        const backendDeviceId = v.registered !== undefined ? v.registered : await findRegistration(store, a.user, a.deviceId, v.info);
        if (typeof backendDeviceId === 'string') Object.assign(patch, linkFields(backendDeviceId, v.at));
      }
      await store.updateAssociation(a.user, a.deviceId, patch);
      a = applyPatch(a, patch);
      runtime.amendAssociation(a, (c) => applyPatch(c, patch));
      if (newImei && a.replaces === undefined) a = await this.replaceEarlier(a, details.imei!);
    }
    if (stateDiffers(a, v.decision)) {
      const next = await runtime.recordDecision(a, v.decision, v.at, instance);
      if (next.accessState === 'Quarantined' && a.accessState !== 'Quarantined') this.tell((n) => n.notifyQuarantine(next, this.organization(), this.linkBase));
    }
  }

  /** Points the same phone's wiped earlier device IDs to this association (iOS after a wipe). */
  private async replaceEarlier(a: Association, imei: string): Promise<Association> {
    const patch = await pointEarlierIds(this.deps.store, a, imei);
    if (patch === undefined) return a;
    await this.deps.store.updateAssociation(a.user, a.deviceId, patch);
    const next = applyPatch(a, patch);
    this.deps.runtime.amendAssociation(a, (c) => applyPatch(c, patch));
    this.deps.log.info({ user: a.user, deviceId: a.deviceId, replaces: patch.replaces }, 'a wiped device came back under a new device ID');
    return next;
  }

  private get linkBase(): string {
    return this.deps.adminLinkBase ?? '';
  }

  /** Queues a notification (durable, once per event across replicas); failures are logged. */
  private tell(send: (n: Notifier) => Promise<number>): void {
    const n = this.deps.notifier;
    if (n === undefined) return;
    send(n).catch((err: unknown) => this.deps.log.error({ err }, 'queueing a notification failed'));
  }
}

type Details = Pick<Association, 'deviceInfoAt' | 'model' | 'imei' | 'os' | 'osLanguage' | 'friendlyName' | 'phoneNumber' | 'mobileOperator' | 'userAgent'>;

/** The association fields a DeviceInformation sets (only those it carries). */
function detailsOf(i: DeviceInformation, at: number): Details {
  const d: Details = { deviceInfoAt: at };
  if (i.model !== undefined) d.model = i.model;
  if (i.imei !== undefined) d.imei = i.imei;
  if (i.os !== undefined) d.os = i.os;
  if (i.osLanguage !== undefined) d.osLanguage = i.osLanguage;
  if (i.friendlyName !== undefined) d.friendlyName = i.friendlyName;
  if (i.phoneNumber !== undefined) d.phoneNumber = i.phoneNumber;
  if (i.mobileOperator !== undefined) d.mobileOperator = i.mobileOperator;
  if (i.userAgent !== undefined) d.userAgent = i.userAgent;
  return d;
}

/** The association with a patch applied as the store applies it: null removes a field. */
function applyPatch(a: Association, patch: AssociationPatch): Association {
  const next: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete next[k];
    else if (v !== undefined) next[k] = v;
  }
  return next as unknown as Association;
}

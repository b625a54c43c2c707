import { randomBytes } from 'node:crypto';
import {
  defaultOrganizationSettings,
  defaultSystemSettings,
  deviceKey,
  domainOf,
  type Association,
  type DeviceAccessRule,
  type DeviceIdEntry,
  type Domain,
  type EasPolicy,
  type Mailbox,
  type OrganizationSettings,
  type PolicyData,
  type StateChange,
  type SystemSettings,
} from '../policy/index.js';
import { associationId } from './association-codec.js';
import { Listeners } from './change-bus.js';
import { decodeMailboxCursor, encodeCursor, MAX_PAGE } from './association-query.js';
import { StoreError } from './errors.js';
import { MemoryAdmin } from './memory-admin.js';
import { MemoryRegisteredDevices } from './registered-devices.js';
import { HISTORY_LIMIT, MemoryAssociations } from './memory-associations.js';
import { SortedStrings } from './sorted-strings.js';
import type {
  ChangedPage,
  DeletedPage,
  AdminToken,
  AssociationPatch,
  AssociationQuery,
  AuditEntry,
  AuditQuery,
  Change,
  ChangeListener,
  MailboxQuery,
  MailboxWrite,
  MailboxWriteOptions,
  NewAssociation,
  NewAuditEntry,
  Page,
  SearchField,
  StateUpdate,
  Store,
  SyncRecord,
} from './types.js';

const clone = structuredClone;

/**
 * The embedded store: one process, no setup (EASGATE_REDIS_URL unset). Same contract as
 * RedisStore; listeners hear changes synchronously after each write.
 */
export class MemoryStore implements Store {
  private system: SystemSettings = defaultSystemSettings();
  private organization: OrganizationSettings = defaultOrganizationSettings();
  private readonly domains = new Map<string, Domain>();
  private readonly rules = new Map<string, DeviceAccessRule>();
  private readonly easPolicies = new Map<string, EasPolicy>();
  private readonly secrets = new Map<string, string>();
  private readonly deviceIds = new Map<string, DeviceIdEntry>();
  private readonly mailboxes = new Map<string, Mailbox>();
  private readonly mailboxIndex = new SortedStrings();
  /** `domain \0 user` of every enabled mailbox. */
  private readonly enabled = new SortedStrings();
  private readonly associations = new MemoryAssociations();
  private readonly listeners = new Listeners();
  private readonly admin: MemoryAdmin;
  readonly registeredDevices = new MemoryRegisteredDevices();
  private version = 0;

  /** `auditLimit`: audit entries kept (the oldest are dropped). */
  constructor(
    private readonly now: () => number = Date.now,
    auditLimit = 100_000,
  ) {
    this.admin = new MemoryAdmin(auditLimit);
  }

  private changed(change: Change): void {
    if (change.kind !== 'mailbox' && change.kind !== 'association') this.version++;
    this.listeners.emit(change);
  }

  async getSystem(): Promise<SystemSettings> {
    return clone(this.system);
  }
  async putSystem(system: SystemSettings): Promise<void> {
    this.system = clone(system);
    this.changed({ kind: 'system' });
  }
  async getOrganization(): Promise<OrganizationSettings> {
    return clone(this.organization);
  }
  async putOrganization(org: OrganizationSettings): Promise<void> {
    this.organization = clone(org);
    this.changed({ kind: 'organization' });
  }

  async listDomains(): Promise<Domain[]> {
    return clone([...this.domains.values()]);
  }
  async getDomain(name: string): Promise<Domain | undefined> {
    return clone(this.domains.get(name.toLowerCase()));
  }
  async putDomain(domain: Domain): Promise<void> {
    const d = { ...clone(domain), name: domain.name.toLowerCase() };
    this.domains.set(d.name, d);
    this.changed({ kind: 'domain', key: d.name });
  }
  async deleteDomain(name: string): Promise<boolean> {
    return this.drop(this.domains, name.toLowerCase(), 'domain');
  }

  private drop(map: Map<string, unknown>, key: string, kind: Change['kind']): boolean {
    if (!map.delete(key)) return false;
    this.changed({ kind, key });
    return true;
  }

  async listRules(): Promise<DeviceAccessRule[]> {
    return clone([...this.rules.values()]);
  }
  async getRule(id: string): Promise<DeviceAccessRule | undefined> {
    return clone(this.rules.get(id));
  }
  async putRule(rule: DeviceAccessRule): Promise<void> {
    this.rules.set(rule.id, clone(rule));
    this.changed({ kind: 'rule', key: rule.id });
  }
  async deleteRule(id: string): Promise<boolean> {
    return this.drop(this.rules, id, 'rule');
  }

  async listDeviceIds(): Promise<DeviceIdEntry[]> {
    return clone([...this.deviceIds.values()]);
  }
  async getDeviceId(deviceId: string): Promise<DeviceIdEntry | undefined> {
    return clone(this.deviceIds.get(deviceKey(deviceId)));
  }
  async putDeviceId(entry: DeviceIdEntry): Promise<void> {
    this.deviceIds.set(deviceKey(entry.deviceId), clone(entry));
    this.changed({ kind: 'deviceId', key: deviceKey(entry.deviceId) });
  }
  async deleteDeviceId(deviceId: string): Promise<boolean> {
    return this.drop(this.deviceIds, deviceKey(deviceId), 'deviceId');
  }

  async listEasPolicies(): Promise<EasPolicy[]> {
    return clone([...this.easPolicies.values()]);
  }
  async getEasPolicy(name: string): Promise<EasPolicy | undefined> {
    return clone(this.easPolicies.get(name));
  }
  async putEasPolicy(policy: EasPolicy): Promise<void> {
    this.easPolicies.set(policy.name, clone(policy));
    this.changed({ kind: 'easPolicy', key: policy.name });
  }
  async deleteEasPolicy(name: string): Promise<boolean> {
    return this.drop(this.easPolicies, name, 'easPolicy');
  }

  async sharedSecret(name: string): Promise<string> {
    let s = this.secrets.get(name);
    if (s === undefined) this.secrets.set(name, (s = randomBytes(32).toString('base64url')));
    return s;
  }

  async loadPolicy(): Promise<PolicyData> {
    return {
      system: clone(this.system),
      organization: clone(this.organization),
      domains: await this.listDomains(),
      rules: await this.listRules(),
      deviceIds: await this.listDeviceIds(),
      easPolicies: await this.listEasPolicies(),
      licenseInUse: this.enabled.size,
    };
  }
  async policyVersion(): Promise<number> {
    return this.version;
  }

  async getMailbox(user: string): Promise<Mailbox | undefined> {
    return clone(this.mailboxes.get(user));
  }

  async putMailbox(mailbox: Mailbox, options: MailboxWriteOptions = {}): Promise<MailboxWrite> {
    const held = this.mailboxes.get(mailbox.user);
    if (options.createOnly === true && held !== undefined) return { status: 'exists', mailbox: clone(held) };
    if (options.expect !== undefined && (options.expect === null ? held !== undefined : JSON.stringify(held) !== JSON.stringify(options.expect))) {
      return { status: 'changed', mailbox: clone(held) };
    }
    const member = `${domainOf(mailbox.user)}\u0000${mailbox.user}`;
    let next = clone(mailbox);
    const limit = options.licenseLimit;
    if (next.activeSyncEnabled && held?.activeSyncEnabled !== true && limit !== undefined && this.enabled.size >= limit) {
      if (options.createOnly !== true) return { status: 'license-limit', mailbox: clone(held) };
      next = { ...next, activeSyncEnabled: false, disabledReason: 'License' };
    }
    this.mailboxes.set(next.user, next);
    this.mailboxIndex.add(next.user);
    if (next.activeSyncEnabled) this.enabled.add(member);
    else this.enabled.delete(member);
    this.changed({ kind: 'mailbox', key: next.user });
    return { status: 'ok', mailbox: clone(next) };
  }

  async deleteMailbox(user: string): Promise<boolean> {
    if (!this.mailboxes.has(user)) return false;
    this.mailboxIndex.delete(user);
    this.enabled.delete(`${domainOf(user)}\u0000${user}`);
    return this.drop(this.mailboxes, user, 'mailbox');
  }

  async listMailboxes(query: MailboxQuery = {}): Promise<Page<Mailbox>> {
    const limit = query.limit ?? 50;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) throw new StoreError('EASGATE_ERR_STORE_BAD_QUERY');
    const prefix = (query.prefix ?? '').toLowerCase();
    const after = query.cursor === undefined ? undefined : decodeMailboxCursor(query.cursor);
    const items: Mailbox[] = [];
    for (const user of this.mailboxIndex.from(after ?? prefix, false)) {
      if (!user.startsWith(prefix)) break;
      if (user === after) continue;
      if (items.length === limit) return { items, nextCursor: encodeCursor('mailbox', items[limit - 1]!.user) };
      items.push(clone(this.mailboxes.get(user)!));
    }
    return { items, nextCursor: null };
  }

  async countEnabledMailboxes(domain?: string): Promise<number> {
    return domain === undefined ? this.enabled.size : this.enabled.countPrefix(`${domain.toLowerCase()}\u0000`);
  }
  async countEnabledMailboxesByDomain(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const m of this.enabled.from('', false)) {
      const d = m.slice(0, m.indexOf('\u0000'));
      out[d] = (out[d] ?? 0) + 1;
    }
    return out;
  }

  async getAssociation(user: string, deviceId: string): Promise<Association | undefined> {
    return this.associations.get(user, deviceId);
  }
  async createAssociation(input: NewAssociation): Promise<{ association: Association; created: boolean }> {
    const r = this.associations.create(input, this.now());
    if (r.created) this.changed({ kind: 'association', key: associationId(input.user, input.deviceId) });
    return r;
  }
  async createAssociations(inputs: readonly NewAssociation[]): Promise<number> {
    let n = 0;
    for (const input of inputs) if ((await this.createAssociation(input)).created) n++;
    return n;
  }
  async updateAssociation(user: string, deviceId: string, patch: AssociationPatch): Promise<boolean> {
    const ok = this.associations.update(user, deviceId, patch);
    if (ok) this.changed({ kind: 'association', key: associationId(user, deviceId) });
    return ok;
  }
  async setAccessState(user: string, deviceId: string, update: StateUpdate): Promise<boolean> {
    const ok = this.associations.setState(user, deviceId, update);
    if (ok) this.changed({ kind: 'association', key: associationId(user, deviceId) });
    return ok;
  }
  async recordSyncs(records: readonly SyncRecord[]): Promise<void> {
    for (const r of records) this.associations.record(r);
  }
  async deleteAssociation(user: string, deviceId: string): Promise<boolean> {
    const ok = this.associations.delete(user, deviceId);
    if (ok) this.changed({ kind: 'association', key: associationId(user, deviceId) });
    return ok;
  }
  async getAssociationHistory(user: string, deviceId: string, limit = HISTORY_LIMIT): Promise<StateChange[]> {
    return this.associations.historyOf(user, deviceId, limit);
  }
  async queryAssociations(query: AssociationQuery): Promise<Page<Association>> {
    return this.associations.query(query);
  }
  async countAssociations(): Promise<number> {
    return this.associations.size;
  }
  async countIndexed(field: SearchField): Promise<number> {
    return this.associations.indexed(field);
  }
  async changedAssociations(after: number, limit: number): Promise<ChangedPage> {
    return this.associations.changedAfter(after, limit);
  }
  async changeNumber(): Promise<number> {
    return this.associations.changeSeq;
  }

  async deletedAssociations(after: number, limit: number): Promise<DeletedPage> {
    return this.associations.deletedAfter(after, limit);
  }

  async forgetDeletions(upTo: number): Promise<void> {
    this.associations.forgetDeletions(upTo);
  }

  async listTokens(): Promise<AdminToken[]> {
    return this.admin.listTokens();
  }
  async getToken(name: string): Promise<AdminToken | undefined> {
    return this.admin.getToken(name);
  }
  async createToken(token: AdminToken): Promise<boolean> {
    return this.admin.createToken(token);
  }
  async deleteToken(name: string): Promise<boolean> {
    return this.admin.deleteToken(name);
  }
  async appendAudit(entries: readonly NewAuditEntry[]): Promise<number[]> {
    return this.admin.appendAudit(entries);
  }
  async queryAudit(query: AuditQuery): Promise<Page<AuditEntry>> {
    return this.admin.queryAudit(query);
  }

  async onChange(listener: ChangeListener): Promise<() => void> {
    return this.listeners.add(listener);
  }
  async close(): Promise<void> {
    this.listeners.clear();
  }
}

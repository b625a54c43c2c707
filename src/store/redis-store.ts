import { randomBytes } from 'node:crypto';
import type { RedisOptions } from 'ioredis';
import {
  defaultOrganizationSettings,
  defaultSystemSettings,
  deviceKey,
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
import { RedisChangeBus } from './change-bus.js';
import * as admin from './redis-admin.js';
import * as assoc from './redis-associations.js';
import { changeNumber, changedAssociations, deletedAssociations, forgetDeletions } from './redis-changes.js';
import * as mbx from './redis-mailboxes.js';
import { KEY_SCHEMA_VERSION, keySchema, type KeySchema } from './redis-keys.js';
import type { RedisAddress } from './redis-address.js';
import { closeRedis, connectRedis } from './redis-connect.js';
import type { RedisClient } from './redis-scripts.js';
import { RedisRegisteredDevices } from './registered-devices.js';
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

export interface RedisStoreOptions {
  /**
   * Where Redis is (EASGATE_REDIS_URL): `redis://…`, `rediss://…`, `redis+sentinel://…` or
   * `redis+cluster://…` (docs/redis-ha.md), as text or parsed; default the local server.
   */
  url?: string | RedisAddress;
  /** More ioredis options, over those of connectRedis (on Cluster: each node's). */
  redis?: RedisOptions;
  /** Bring your own client (the store does not close it). */
  client?: RedisClient;
  /** Keys are `{keyPrefix}:…`; default `easgate`. */
  keyPrefix?: string;
  /** Audit entries kept (the oldest are trimmed); default 200,000. */
  auditLimit?: number;
  now?: () => number;
}

/**
 * The production store, shared by every replica. Key schema: docs/store.md and redis-keys.ts.
 * Change notifications travel on one pub/sub channel; listeners of this store hear their
 * own writes at once and other replicas' writes when the message arrives.
 */
export class RedisStore implements Store {
  readonly client: RedisClient;
  readonly keys: KeySchema;
  private readonly ownsClient: boolean;
  private readonly bus: RedisChangeBus;
  private readonly ctx: assoc.RedisContext;
  private readonly admin: admin.AdminContext;
  private readonly mbx: mbx.MailboxContext;
  readonly registeredDevices: RedisRegisteredDevices;

  constructor(options: RedisStoreOptions = {}) {
    this.keys = keySchema(options.keyPrefix ?? 'easgate');
    this.ownsClient = options.client === undefined;
    this.client = options.client ?? connectRedis(options.url ?? 'redis://127.0.0.1:6379', options.redis);
    const now = options.now ?? Date.now;
    this.bus = new RedisChangeBus(this.client, this.keys.changes);
    this.ctx = { client: this.client, keys: this.keys, now, notice: (id) => this.notice({ kind: 'association', key: id }) };
    this.admin = { client: this.client, keys: this.keys, auditLimit: options.auditLimit ?? 200_000 };
    this.registeredDevices = new RedisRegisteredDevices(this.client, this.keys.tag);
    this.mbx = { client: this.client, keys: this.keys, notice: (c: Change) => this.notice(c), emit: (c: Change) => this.emit(c) };
  }

  private notice(change: Change): [string, string] {
    return this.bus.notice(change);
  }

  private emit(change: Change): void {
    this.bus.emit(change);
  }

  /** A policy write: the value, the version bump and the notification in one MULTI. */
  private async policyWrite(change: Change, write: (m: ReturnType<RedisClient['multi']>) => void): Promise<unknown[]> {
    const m = this.client.multi();
    write(m);
    m.incr(this.keys.policyVersion);
    m.publish(...this.notice(change));
    const res = (await m.exec()) ?? [];
    const failed = res.find(([err]) => err !== null);
    if (failed) throw failed[0];
    this.emit(change);
    return res.map(([, r]) => r);
  }

  async getSystem(): Promise<SystemSettings> {
    const s = await this.client.get(this.keys.system);
    return s === null ? defaultSystemSettings() : (JSON.parse(s) as SystemSettings);
  }
  async putSystem(system: SystemSettings): Promise<void> {
    await this.policyWrite({ kind: 'system' }, (m) => m.set(this.keys.system, JSON.stringify(system)));
  }
  async getOrganization(): Promise<OrganizationSettings> {
    const s = await this.client.get(this.keys.organization);
    return s === null ? defaultOrganizationSettings() : (JSON.parse(s) as OrganizationSettings);
  }
  async putOrganization(org: OrganizationSettings): Promise<void> {
    await this.policyWrite({ kind: 'organization' }, (m) => m.set(this.keys.organization, JSON.stringify(org)));
  }

  private async values<T>(hash: string): Promise<T[]> {
    return (await this.client.hvals(hash)).map((v) => JSON.parse(v) as T);
  }
  private async field<T>(hash: string, key: string): Promise<T | undefined> {
    const v = await this.client.hget(hash, key);
    return v === null ? undefined : (JSON.parse(v) as T);
  }
  private async put(hash: string, kind: Change['kind'], key: string, value: unknown): Promise<void> {
    await this.policyWrite({ kind, key }, (m) => m.hset(hash, key, JSON.stringify(value)));
  }
  private async drop(hash: string, kind: Change['kind'], key: string): Promise<boolean> {
    const [n] = await this.policyWrite({ kind, key }, (m) => m.hdel(hash, key));
    return n === 1;
  }

  listDomains(): Promise<Domain[]> {
    return this.values(this.keys.domains);
  }
  getDomain(name: string): Promise<Domain | undefined> {
    return this.field(this.keys.domains, name.toLowerCase());
  }
  putDomain(domain: Domain): Promise<void> {
    const d = { ...domain, name: domain.name.toLowerCase() };
    return this.put(this.keys.domains, 'domain', d.name, d);
  }
  deleteDomain(name: string): Promise<boolean> {
    return this.drop(this.keys.domains, 'domain', name.toLowerCase());
  }
  listRules(): Promise<DeviceAccessRule[]> {
    return this.values(this.keys.rules);
  }
  getRule(id: string): Promise<DeviceAccessRule | undefined> {
    return this.field(this.keys.rules, id);
  }
  putRule(rule: DeviceAccessRule): Promise<void> {
    return this.put(this.keys.rules, 'rule', rule.id, rule);
  }
  deleteRule(id: string): Promise<boolean> {
    return this.drop(this.keys.rules, 'rule', id);
  }
  listDeviceIds(): Promise<DeviceIdEntry[]> {
    return this.values(this.keys.deviceIds);
  }
  getDeviceId(deviceId: string): Promise<DeviceIdEntry | undefined> {
    return this.field(this.keys.deviceIds, deviceKey(deviceId));
  }
  putDeviceId(entry: DeviceIdEntry): Promise<void> {
    return this.put(this.keys.deviceIds, 'deviceId', deviceKey(entry.deviceId), entry);
  }
  deleteDeviceId(deviceId: string): Promise<boolean> {
    return this.drop(this.keys.deviceIds, 'deviceId', deviceKey(deviceId));
  }

  listEasPolicies(): Promise<EasPolicy[]> {
    return this.values(this.keys.easPolicies);
  }
  getEasPolicy(name: string): Promise<EasPolicy | undefined> {
    return this.field(this.keys.easPolicies, name);
  }
  putEasPolicy(policy: EasPolicy): Promise<void> {
    return this.put(this.keys.easPolicies, 'easPolicy', policy.name, policy);
  }
  deleteEasPolicy(name: string): Promise<boolean> {
    return this.drop(this.keys.easPolicies, 'easPolicy', name);
  }

  async sharedSecret(name: string): Promise<string> {
    const key = this.keys.secret(name);
    await this.client.set(key, randomBytes(32).toString('base64url'), 'NX');
    const v = await this.client.get(key);
    if (v === null) throw new Error(`the shared secret ${name} vanished`);
    return v;
  }

  async loadPolicy(): Promise<PolicyData> {
    const k = this.keys;
    const res =
      (await this.client.multi().get(k.system).get(k.organization).hvals(k.domains).hvals(k.rules).hvals(k.deviceIds).zcard(k.enabledMailboxes).hvals(k.easPolicies).exec()) ?? [];
    const failed = res.find(([err]) => err !== null);
    if (failed) throw failed[0];
    const [system, org, domains, rules, deviceIds, inUse, easPolicies] = res.map(([, r]) => r) as [string | null, string | null, string[], string[], string[], number, string[]];
    const parse = <T>(list: string[]): T[] => list.map((v) => JSON.parse(v) as T);
    return {
      system: system === null ? defaultSystemSettings() : (JSON.parse(system) as SystemSettings),
      organization: org === null ? defaultOrganizationSettings() : (JSON.parse(org) as OrganizationSettings),
      domains: parse(domains),
      rules: parse(rules),
      deviceIds: parse(deviceIds),
      easPolicies: parse(easPolicies),
      licenseInUse: inUse,
    };
  }
  async policyVersion(): Promise<number> {
    return Number((await this.client.get(this.keys.policyVersion)) ?? 0);
  }

  getMailbox(user: string): Promise<Mailbox | undefined> {
    return this.field(this.keys.mailboxes, user);
  }

  putMailbox(mailbox: Mailbox, options: MailboxWriteOptions = {}): Promise<MailboxWrite> {
    return mbx.putMailbox(this.mbx, mailbox, options);
  }
  deleteMailbox(user: string): Promise<boolean> {
    return mbx.deleteMailbox(this.mbx, user);
  }
  listMailboxes(query: MailboxQuery = {}): Promise<Page<Mailbox>> {
    return mbx.listMailboxes(this.mbx, query);
  }
  countEnabledMailboxes(domain?: string): Promise<number> {
    return mbx.countEnabled(this.mbx, domain);
  }
  countEnabledMailboxesByDomain(): Promise<Record<string, number>> {
    return mbx.countEnabledByDomain(this.mbx);
  }

  getAssociation(user: string, deviceId: string): Promise<Association | undefined> {
    return assoc.getAssociation(this.ctx, user, deviceId);
  }
  async createAssociation(input: NewAssociation): Promise<{ association: Association; created: boolean }> {
    const r = await assoc.createAssociation(this.ctx, input);
    if (r.created) this.emit({ kind: 'association', key: associationId(input.user, input.deviceId) });
    return r;
  }
  createAssociations(inputs: readonly NewAssociation[]): Promise<number> {
    return assoc.createAssociations(this.ctx, inputs);
  }
  async updateAssociation(user: string, deviceId: string, patch: AssociationPatch): Promise<boolean> {
    const ok = await assoc.updateAssociation(this.ctx, user, deviceId, patch);
    if (ok) this.emit({ kind: 'association', key: associationId(user, deviceId) });
    return ok;
  }
  async setAccessState(user: string, deviceId: string, update: StateUpdate): Promise<boolean> {
    const ok = await assoc.setAccessState(this.ctx, user, deviceId, update);
    if (ok) this.emit({ kind: 'association', key: associationId(user, deviceId) });
    return ok;
  }
  recordSyncs(records: readonly SyncRecord[]): Promise<void> {
    return assoc.recordSyncs(this.ctx, records);
  }
  async deleteAssociation(user: string, deviceId: string): Promise<boolean> {
    const ok = await assoc.deleteAssociation(this.ctx, user, deviceId);
    if (ok) this.emit({ kind: 'association', key: associationId(user, deviceId) });
    return ok;
  }
  getAssociationHistory(user: string, deviceId: string, limit = assoc.HISTORY_LIMIT): Promise<StateChange[]> {
    return assoc.getHistory(this.ctx, user, deviceId, limit);
  }
  queryAssociations(query: AssociationQuery): Promise<Page<Association>> {
    return assoc.queryAssociations(this.ctx, query);
  }
  countAssociations(): Promise<number> {
    return this.client.zcard(this.keys.textIndex.user);
  }
  countIndexed(field: SearchField): Promise<number> {
    return this.client.zcard(this.keys.textIndex[field]);
  }
  changedAssociations(after: number, limit: number): Promise<ChangedPage> {
    return changedAssociations(this.ctx, after, limit);
  }
  changeNumber(): Promise<number> {
    return changeNumber(this.ctx);
  }
  deletedAssociations(after: number, limit: number): Promise<DeletedPage> {
    return deletedAssociations(this.ctx, after, limit);
  }
  forgetDeletions(upTo: number): Promise<void> {
    return forgetDeletions(this.ctx, upTo);
  }

  listTokens(): Promise<AdminToken[]> {
    return admin.listTokens(this.admin);
  }
  getToken(name: string): Promise<AdminToken | undefined> {
    return admin.getToken(this.admin, name);
  }
  createToken(token: AdminToken): Promise<boolean> {
    return admin.createToken(this.admin, token);
  }
  deleteToken(name: string): Promise<boolean> {
    return admin.deleteToken(this.admin, name);
  }
  appendAudit(entries: readonly NewAuditEntry[]): Promise<number[]> {
    return admin.appendAudit(this.admin, entries);
  }
  queryAudit(query: AuditQuery): Promise<Page<AuditEntry>> {
    return admin.queryAudit(this.admin, query);
  }

  onChange(listener: ChangeListener): Promise<() => void> {
    return this.bus.listen(listener);
  }

  /**
   * The key schema version of the data under the prefix, marked with this version's own
   * (KEY_SCHEMA_VERSION) when none is there yet: a new prefix, or data written before the
   * marker existed (schema 1).
   */
  async claimKeySchema(): Promise<number> {
    await this.client.set(this.keys.schema, String(KEY_SCHEMA_VERSION), 'NX');
    return Number(await this.client.get(this.keys.schema));
  }

  async close(): Promise<void> {
    await this.bus.close();
    if (this.ownsClient) await closeRedis(this.client);
  }

  /** Drops both connections at once, without waiting for Redis (it may be gone). */
  disconnect(): void {
    this.bus.disconnect();
    if (this.ownsClient) this.client.disconnect();
  }
}

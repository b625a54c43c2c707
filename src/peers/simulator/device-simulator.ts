/**
 * A device simulator that talks ActiveSync like a phone: it provisions (two-phase), keeps
 * its policy and sync keys, and reacts to 449, Status 142/143/144/140 (re-provision) and
 * 451 (follow X-MS-Location) as real clients do. Every exchange lands in `history`.
 */
import { randomBytes } from 'node:crypto';
import { encode } from '../../wbxml/index.js';
import { isProtocolVersion, MIME_CONTENT_TYPE, versionAtLeast, type ProtocolVersion } from '../common/protocol.js';
import type { WbxmlElement } from '../common/tree.js';
import * as bodies from './bodies.js';
import { readFolderSync, readGetItemEstimate, readPing, readProvision, readSync, type FolderInfo } from './readers.js';
import type { FolderSyncResult, PingResult, ProvisionResult, SyncedItem, SyncResult } from './readers.js';
import { runConversation, type ConversationOptions } from './conversation.js';
import { Transport, type RequestBody, type SendInput } from './transport.js';
import type { DeviceInformation, DeviceSimulatorOptions, EasResponse, Exchange, Transcript } from './types.js';

/** Status values after which a 14.0+ client provisions again (docs/protocol.md 2.2, 3.4). */
const REPROVISION = new Set([140, 142, 143, 144]);
const MAX_REDIRECTS = 3;

export class DeviceSimulator {
  readonly deviceId: string;
  readonly deviceType: string;
  readonly protocolVersion: ProtocolVersion;
  readonly queryEncoding: 'plain' | 'base64';
  readonly deviceInformation: DeviceInformation;
  /** Every HTTP exchange so far, automatic ones included. */
  readonly history: Exchange[] = [];
  folders: FolderInfo[] = [];
  folderSyncKey = '0';
  readonly syncKeys = new Map<string, string>();
  /** Set once the server ordered a wipe and the device acknowledged it. */
  wiped: 'RemoteWipe' | 'AccountOnlyRemoteWipe' | undefined;
  private readonly transport: Transport;
  private provisioning = false;

  constructor(o: DeviceSimulatorOptions) {
    this.protocolVersion = o.protocolVersion ?? '14.1';
    if (!isProtocolVersion(this.protocolVersion)) throw new RangeError(`unknown protocol version ${String(o.protocolVersion)}`);
    this.queryEncoding = o.queryEncoding ?? 'plain';
    if (this.queryEncoding === 'base64' && !versionAtLeast(this.protocolVersion, '12.1')) {
      throw new RangeError('a base64 query needs protocol 12.1 or later ([MS-ASHTTP] 2.2.1.1.1)');
    }
    this.deviceId = o.deviceId ?? `SIM${randomBytes(8).toString('hex').toUpperCase()}`;
    this.deviceType = o.deviceType ?? 'iPhone';
    const userAgent = o.userAgent ?? 'Apple-iPhone9C1/1402.100';
    this.deviceInformation = {
      model: 'iPhone9C1',
      imei: '356938035643809',
      friendlyName: 'Simulated iPhone',
      os: 'iOS 15.8 19H370',
      osLanguage: 'en',
      phoneNumber: '+15550100',
      mobileOperator: 'Sample Mobile',
      userAgent,
      ...o.deviceInformation,
    };
    this.transport = new Transport(
      o.url,
      { user: o.user, password: o.password, deviceId: this.deviceId, deviceType: this.deviceType, protocolVersion: this.protocolVersion, queryEncoding: this.queryEncoding, userAgent, locale: o.locale ?? 0x0409 },
      o.dispatcher,
    );
  }

  /** The URL the device uses now (it changes when the server answers 451). */
  get url(): string {
    return this.transport.url;
  }

  get policyKey(): string | undefined {
    return this.transport.policyKey;
  }

  /** The Inbox's ServerId from the last FolderSync (folder type 2). */
  get inboxId(): string | undefined {
    return this.folders.find((f) => f.type === 2)?.serverId;
  }

  private requireInbox(): string {
    const id = this.inboxId;
    if (id === undefined) throw new Error('no Inbox known yet: run folderSync() first');
    return id;
  }

  async close(): Promise<void> {
    await this.transport.close();
  }

  /** The whole first-contact conversation of a phone of this version (see conversation.ts). */
  conversation(o?: ConversationOptions): Promise<Transcript> {
    return runConversation(this, o);
  }

  /** One request exactly as asked: no re-provisioning, no redirect following. */
  async raw(command: string, body?: WbxmlElement | RequestBody, headers?: Record<string, string>, o: Omit<SendInput, 'command' | 'body' | 'headers'> = {}): Promise<EasResponse> {
    const encoded = body !== undefined && isTree(body) ? encode(body) : body;
    return this.timed(`${command} (raw)`, () => this.transport.send({ ...o, command, body: encoded, headers }));
  }

  async options(): Promise<EasResponse> {
    return this.timed('OPTIONS', () => this.transport.options());
  }

  /** The full two-phase Provision ([MS-ASPROV] 3.1.5.1); stores the final key. */
  async provision(): Promise<ProvisionResult & { response: EasResponse }> {
    this.provisioning = true;
    try {
      this.transport.policyKey = undefined;
      const v = this.protocolVersion;
      let response = await this.sendWithRecovery({ command: 'Provision' }, () => encode(bodies.provisionInitial(v, this.deviceInformation)), 'Provision (initial)');
      let result = readProvision(response.doc);
      if (result.remoteWipe !== undefined) return { ...(await this.acknowledgeWipe(result.remoteWipe)), response };
      if (response.status !== 200 || result.status !== 1 || result.policyKey === undefined) return { ...result, response };
      const temporary = result.policyKey;
      this.transport.policyKey = temporary;
      response = await this.sendWithRecovery({ command: 'Provision' }, () => encode(bodies.provisionAck(v, temporary)), 'Provision (acknowledge)');
      result = readProvision(response.doc);
      this.transport.policyKey = response.status === 200 && result.policyStatus === 1 ? result.policyKey : undefined;
      return { ...result, response };
    } finally {
      this.provisioning = false;
    }
  }

  private async acknowledgeWipe(kind: 'RemoteWipe' | 'AccountOnlyRemoteWipe'): Promise<ProvisionResult> {
    // [MS-ASPROV] 3.1.5.1.2.2: acknowledge, then wipe (here: forget everything).
    const response = await this.sendWithRecovery({ command: 'Provision' }, () => encode(bodies.remoteWipeAck(kind)), `Provision (${kind} acknowledge)`);
    this.wiped = kind;
    this.folders = [];
    this.folderSyncKey = '0';
    this.syncKeys.clear();
    return readProvision(response.doc);
  }

  /** Settings/DeviceInformation Set, what 12.1 and 14.0 clients send after Provision. */
  async settings(): Promise<EasResponse> {
    return this.send('Settings', () => bodies.settingsDeviceInformation(this.protocolVersion, this.deviceInformation));
  }

  async folderSync(): Promise<FolderSyncResult & { response: EasResponse }> {
    const response = await this.send('FolderSync', () => bodies.folderSyncRequest(this.folderSyncKey));
    const result = readFolderSync(response.doc);
    if (result.status === 1 && result.syncKey !== undefined) {
      if (this.folderSyncKey === '0') this.folders = [];
      const gone = new Set(result.deleted);
      this.folders = [...this.folders.filter((f) => !gone.has(f.serverId)), ...result.added];
      this.folderSyncKey = result.syncKey;
    } else if (result.status === 9) {
      // [MS-ASCMD] 2.2.3.177.5: invalid key → start over at 0 next time.
      this.folderSyncKey = '0';
    }
    return { ...result, response };
  }

  /** One Sync of one collection with the stored key (0 at first). */
  async sync(collectionId: string, o: bodies.SyncOptions = {}, signal?: AbortSignal): Promise<SyncResult & { response: EasResponse }> {
    const hold = o.heartbeatInterval ?? (o.wait === undefined ? 0 : o.wait * 60);
    const response = await this.send('Sync', () => bodies.syncRequest(this.protocolVersion, collectionId, this.syncKeys.get(collectionId) ?? '0', o), {
      label: `Sync ${this.folders.find((f) => f.serverId === collectionId)?.displayName ?? collectionId}`,
      signal,
      timeoutMs: (hold + 120) * 1000,
    });
    const result = readSync(response.status === 200 ? response.doc : undefined);
    if (response.status !== 200) result.empty = false;
    for (const c of result.collections) {
      if (c.status === 3) this.syncKeys.set(c.collectionId, '0');
      else if (c.syncKey !== undefined) this.syncKeys.set(c.collectionId, c.syncKey);
    }
    return { ...result, response };
  }

  /**
   * Sync from key 0 (if new) until the server has nothing more: an empty 200, or a
   * response without commands and without MoreAvailable ([MS-ASCMD] 2.2.3.116).
   */
  async syncUntilDone(collectionId: string = this.requireInbox(), o: bodies.SyncOptions = {}, maxRounds = 50): Promise<{ rounds: number; items: SyncedItem[]; last: SyncResult & { response: EasResponse } }> {
    const items: SyncedItem[] = [];
    for (let rounds = 1; ; rounds++) {
      const priming = (this.syncKeys.get(collectionId) ?? '0') === '0';
      const last = await this.sync(collectionId, o);
      const c = last.collections.find((x) => x.collectionId === collectionId);
      items.push(...(c?.added ?? []));
      const failed = last.response.status !== 200 || last.status !== undefined || (c !== undefined && c.status !== 1);
      const quiet = c !== undefined && !priming && c.added.length + c.changed + c.deleted === 0 && !c.moreAvailable;
      if (last.empty || failed || quiet || rounds >= maxRounds) return { rounds, items, last };
    }
  }

  async getItemEstimate(collectionId: string = this.requireInbox()): Promise<{ response: EasResponse; estimates: ReturnType<typeof readGetItemEstimate> }> {
    const response = await this.send('GetItemEstimate', () => bodies.getItemEstimateRequest(this.protocolVersion, collectionId, this.syncKeys.get(collectionId) ?? '0'));
    return { response, estimates: readGetItemEstimate(response.doc) };
  }

  /**
   * Ping ([MS-ASCMD] 2.2.1.13). Without a heartbeat the body is empty and the server reuses
   * the cached parameters. The request may be held for the whole heartbeat.
   */
  async ping(heartbeatSeconds?: number, folders?: readonly bodies.PingFolderSpec[], o: { signal?: AbortSignal } = {}): Promise<PingResult & { response: EasResponse }> {
    const list = folders ?? (this.inboxId === undefined ? [] : [{ id: this.inboxId, class: 'Email' }]);
    const build = heartbeatSeconds === undefined ? undefined : () => bodies.pingRequest(heartbeatSeconds, list);
    const response = await this.send('Ping', build, { signal: o.signal, timeoutMs: ((heartbeatSeconds ?? 3540) + 120) * 1000 });
    return { ...readPing(response.doc), response };
  }

  /**
   * SendMail: WBXML ComposeMail (default for 14.0+) or raw message/rfc822 (≤ 12.1 style).
   * A stream is sent as it is read (raw MIME only) and cannot be replayed after a 449.
   */
  async sendMail(mime: string | Uint8Array | RequestBody, o: { asWbxml?: boolean; saveInSent?: boolean; clientId?: string } = {}): Promise<{ response: EasResponse; receivedBytes: number | undefined }> {
    const asWbxml = o.asWbxml ?? versionAtLeast(this.protocolVersion, '14.0');
    const saveInSent = o.saveInSent ?? true;
    const bytes = typeof mime === 'string' ? Buffer.from(mime, 'utf8') : mime;
    let response: EasResponse;
    if (asWbxml) {
      if (!(bytes instanceof Uint8Array)) throw new TypeError('a WBXML SendMail needs the MIME as bytes');
      const clientId = o.clientId ?? `sim${Date.now()}${randomBytes(3).toString('hex')}`;
      response = await this.send('SendMail', () => bodies.sendMailRequest(clientId, bytes, saveInSent));
    } else {
      const params = saveInSent ? { SaveInSent: 'T' } : undefined;
      const input = { command: 'SendMail', contentType: MIME_CONTENT_TYPE, params };
      response = bytes instanceof Uint8Array
        ? await this.sendWithRecovery(input, () => bytes, 'SendMail')
        : await this.timed('SendMail', () => this.transport.send({ ...input, body: bytes }));
    }
    const received = Number(response.headers['x-sample-received-bytes']);
    return { response, receivedBytes: Number.isFinite(received) ? received : undefined };
  }

  /** Sends a WBXML command and recovers like a device (re-provision, redirect). */
  private send(command: string, build: (() => WbxmlElement) | undefined, o: { label?: string; signal?: AbortSignal; timeoutMs?: number } = {}): Promise<EasResponse> {
    const body = build === undefined ? undefined : () => encode(build());
    return this.sendWithRecovery({ command, signal: o.signal, timeoutMs: o.timeoutMs }, body, o.label ?? command);
  }

  private async sendWithRecovery(input: SendInput, body: (() => RequestBody | undefined) | undefined, label: string): Promise<EasResponse> {
    let redirects = 0;
    let reprovisioned = false;
    for (;;) {
      const response = await this.timed(label, () => this.transport.send({ ...input, body: body?.() }));
      const location = response.headers['x-ms-location'];
      if (response.status === 451 && typeof location === 'string' && redirects < MAX_REDIRECTS) {
        // [MS-ASHTTP] 3.1.5.2.2: use the new URL for this and all later requests.
        this.transport.url = location;
        redirects += 1;
        continue;
      }
      const wantsProvision = response.status === 449 || (versionAtLeast(this.protocolVersion, '14.0') && response.easStatus !== undefined && REPROVISION.has(response.easStatus));
      if (wantsProvision && !reprovisioned && !this.provisioning) {
        reprovisioned = true;
        const p = await this.provision();
        if (p.response.status === 200 && (p.policyKey !== undefined || this.wiped !== undefined)) {
          if (this.wiped !== undefined) return response;
          continue;
        }
      }
      return response;
    }
  }

  private async timed(label: string, run: () => Promise<EasResponse>): Promise<EasResponse> {
    const started = performance.now();
    const response = await run();
    this.history.push({ label, response, ms: Math.round(performance.now() - started) });
    return response;
  }
}

function isTree(x: unknown): x is WbxmlElement {
  return typeof x === 'object' && x !== null && 'name' in x && 'children' in x && !(x instanceof Uint8Array);
}

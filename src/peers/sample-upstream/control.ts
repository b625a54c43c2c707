/**
 * What tests see of the sample upstream: every request it got (so a test can prove that a
 * refused device never reached it), mail delivery, switches, and a reset.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { BehaviourQueue, type BehaveOptions } from './behaviour.js';
import type { DeviceRegistry } from './devices.js';
import type { MailInput, MailStore, SampleMail } from './mailbox.js';
import { addressOf, findUser } from './auth.js';
import type { ResolvedOptions } from './options.js';

export interface RequestRecord {
  readonly id: number;
  readonly method: string;
  /** Path without the query. */
  readonly path: string;
  readonly query: string;
  command: string | undefined;
  /** The authenticated logon name (without domain), else the User of the query. */
  user: string | undefined;
  deviceId: string | undefined;
  deviceType: string | undefined;
  protocolVersion: string | undefined;
  policyKey: string | undefined;
  queryEncoding: 'plain' | 'base64' | undefined;
  readonly headers: IncomingHttpHeaders;
  bodyBytes: number;
  status: number | undefined;
  /** The EAS Status of the answer's root element, when there was one. */
  easStatus: number | undefined;
  behaviour: string | undefined;
  readonly startedAt: number;
  endedAt: number | undefined;
  /** The client went away before the answer was complete. */
  aborted: boolean;
}

export interface SendMailRecord {
  user: string;
  deviceId: string;
  contentType: string;
  /** Bytes of the HTTP request body, counted as they streamed in. */
  bytes: number;
  /** Bytes of the MIME message when it could be read (raw MIME, or WBXML under the decode limit). */
  mimeBytes: number | undefined;
  clientId: string | undefined;
  saveInSent: boolean;
}

export type RequestFilter = Partial<Pick<RequestRecord, 'method' | 'command' | 'user' | 'deviceId' | 'status'>>;

export interface DeviceSnapshot {
  policyKey: string | undefined;
  deviceType: string;
  deviceInformation: Record<string, string> | undefined;
  folderSyncKey: number;
}

function matches(r: RequestRecord, f: RequestFilter): boolean {
  return Object.entries(f).every(([k, v]) => {
    const have = r[k as keyof RequestFilter];
    return typeof v === 'string' && typeof have === 'string' ? v.toLowerCase() === have.toLowerCase() : v === have;
  });
}

export class SampleControl {
  readonly requests: RequestRecord[] = [];
  lastSendMail: SendMailRecord | undefined;
  private nextId = 1;
  private readonly behaviours = new BehaviourQueue();
  private readonly listeners = new Set<(r: RequestRecord) => void>();
  private heldNow = 0;
  private readonly heldListeners = new Set<() => void>();

  constructor(
    private readonly options: ResolvedOptions,
    private readonly store: MailStore,
    private readonly devices: DeviceRegistry,
  ) {}

  /** Delivers a mail to `user`'s mailbox and wakes their held Pings and Sync waits. */
  deliver(user: string, mail: MailInput = {}): SampleMail {
    const u = findUser(user, this.options.users);
    if (u === undefined) throw new RangeError(`no sample user ${user}`);
    return this.store.mailbox(u.name, addressOf(u)).add(mail);
  }

  /** Queues a misbehaviour (see behaviour.ts) for matching requests. */
  behave(spec: string, options?: BehaveOptions): void {
    this.behaviours.add(spec, options);
  }

  clearBehaviours(): void {
    this.behaviours.clear();
  }

  set requireProvisioning(on: boolean) {
    this.options.requireProvisioning = on;
  }

  get requireProvisioning(): boolean {
    return this.options.requireProvisioning;
  }

  count(filter: RequestFilter = {}): number {
    return this.requests.filter((r) => matches(r, filter)).length;
  }

  find(filter: RequestFilter = {}): RequestRecord[] {
    return this.requests.filter((r) => matches(r, filter));
  }

  /** Resolves with the first request (seen or future) that satisfies `pred` once it has started. */
  waitForRequest(pred: (r: RequestRecord) => boolean, timeoutMs = 5000): Promise<RequestRecord> {
    const seen = this.requests.find(pred);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.listeners.delete(check);
        reject(new Error(`no matching request within ${timeoutMs} ms`));
      }, timeoutMs);
      const check = (r: RequestRecord): void => {
        if (!pred(r)) return;
        clearTimeout(timer);
        this.listeners.delete(check);
        resolve(r);
      };
      this.listeners.add(check);
    });
  }

  /** Requests held now (Ping, Sync waits, `hold`). */
  get held(): number {
    return this.heldNow;
  }

  /** Resolves once at least `count` requests are held (a Ping is waiting for changes). */
  whenHeld(count = 1, timeoutMs = 5000): Promise<void> {
    if (this.heldNow >= count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.heldListeners.delete(check);
        reject(new Error(`fewer than ${count} held requests after ${timeoutMs} ms`));
      }, timeoutMs);
      const check = (): void => {
        if (this.heldNow < count) return;
        clearTimeout(timer);
        this.heldListeners.delete(check);
        resolve();
      };
      this.heldListeners.add(check);
    });
  }

  /** @internal a request starts (+1) or stops (-1) being held. */
  hold(delta: 1 | -1): void {
    this.heldNow += delta;
    for (const l of [...this.heldListeners]) l();
  }

  device(user: string, deviceId: string): DeviceSnapshot | undefined {
    const d = this.devices.get(user, deviceId);
    if (d === undefined) return undefined;
    return { policyKey: d.policyKey, deviceType: d.deviceType, deviceInformation: d.deviceInformation, folderSyncKey: d.folderSyncKey };
  }

  /** Forgets requests, switches, devices and mail (mailboxes are seeded again on next use). */
  reset(): void {
    this.requests.length = 0;
    this.lastSendMail = undefined;
    this.behaviours.clear();
    this.devices.reset();
    this.store.reset();
  }

  /** @internal */
  begin(r: Omit<RequestRecord, 'id'>): RequestRecord {
    const rec: RequestRecord = { id: this.nextId++, ...r };
    if (this.options.recordRequests) this.requests.push(rec);
    return rec;
  }

  /** @internal the request is identified (command, user): tell waiters. */
  announce(r: RequestRecord): void {
    for (const l of [...this.listeners]) l(r);
  }

  /** @internal */
  takeBehaviour(command: string | undefined, user: string | undefined) {
    return this.behaviours.take(command, user);
  }
}

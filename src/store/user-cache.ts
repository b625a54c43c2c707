import type { Association, MailboxPolicy } from '../policy/index.js';

/** A cached value with its expiry; `undefined` value = not cached, `null` = known absent. */
interface Slot<V> {
  v: V | null | undefined;
  exp: number;
}

/**
 * One user's cached mailbox and devices. The most recent device sits inline (most users
 * have one or two), the others in a small map: a hit touches as few objects as possible.
 */
export interface UserEntry {
  mailbox: MailboxPolicy | null | undefined;
  mailboxExp: number;
  deviceKey: string | undefined;
  device: Association | null | undefined;
  deviceExp: number;
  others: Map<string, Slot<Association>> | undefined;
  /** Second-chance bit of the CLOCK eviction. */
  used: boolean;
}

/**
 * The hot path's cache of mailboxes and associations, keyed by user: one Map look-up finds
 * both the mailbox and the user's devices, with no key to build. Bounded by users (CLOCK
 * eviction: a hit only sets a bit, so a hit never reorders the Map) and by devices per user
 * (a user spraying device IDs evicts only their own; the inline device plus `maxDevicesPerUser`). Entries expire after `maxAgeMs`, the
 * backstop for an invalidation that never arrived; `now` is the runtime's coarse clock.
 */
export class UserCache {
  private readonly users = new Map<string, UserEntry>();
  private lastUser: string | undefined;
  private lastEntry: UserEntry | undefined;

  constructor(
    readonly maxUsers: number,
    readonly maxDevicesPerUser: number,
    private readonly maxAgeMs: number,
    private readonly now: () => number,
  ) {
    if (!(maxUsers >= 1 && maxDevicesPerUser >= 1)) throw new RangeError('UserCache needs room for one user and one device');
  }

  get size(): number {
    return this.users.size;
  }

  private entry(user: string): UserEntry | undefined {
    if (user === this.lastUser) return this.lastEntry;
    const e = this.users.get(user);
    if (e !== undefined) {
      e.used = true;
      this.lastUser = user;
      this.lastEntry = e;
    }
    return e;
  }

  private entryForWrite(user: string): UserEntry {
    let e = this.entry(user);
    if (e === undefined) {
      if (this.users.size >= this.maxUsers) this.evict();
      e = { mailbox: undefined, mailboxExp: 0, deviceKey: undefined, device: undefined, deviceExp: 0, others: undefined, used: false };
      this.users.set(user, e);
    }
    return e;
  }

  /** CLOCK: walk from the oldest insertion; a used entry gets a second chance at the end. */
  private evict(): void {
    for (const [user, e] of this.users) {
      this.users.delete(user);
      if (user === this.lastUser) this.lastUser = this.lastEntry = undefined;
      if (!e.used) return;
      e.used = false;
      this.users.set(user, e);
    }
  }

  getMailbox(user: string): MailboxPolicy | null | undefined {
    const e = this.entry(user);
    return e === undefined || e.mailboxExp <= this.now() ? undefined : e.mailbox;
  }

  setMailbox(user: string, v: MailboxPolicy | null): void {
    const e = this.entryForWrite(user);
    e.mailbox = v;
    e.mailboxExp = this.now() + this.maxAgeMs;
  }

  getAssociation(user: string, deviceKey: string): Association | null | undefined {
    const e = this.entry(user);
    if (e === undefined) return undefined;
    if (e.deviceKey === deviceKey) return e.deviceExp <= this.now() ? undefined : e.device;
    const s = e.others?.get(deviceKey);
    return s === undefined || s.exp <= this.now() ? undefined : s.v;
  }

  setAssociation(user: string, deviceKey: string, v: Association | null): void {
    const e = this.entryForWrite(user);
    const exp = this.now() + this.maxAgeMs;
    if (e.deviceKey !== undefined && e.deviceKey !== deviceKey) {
      // The inline device moves to the map; the new one takes its place.
      e.others ??= new Map();
      e.others.delete(e.deviceKey);
      if (e.device !== undefined) e.others.set(e.deviceKey, { v: e.device, exp: e.deviceExp });
      e.others.delete(deviceKey);
      if (e.others.size > this.maxDevicesPerUser) {
        const oldest = e.others.keys().next();
        if (oldest.done !== true) e.others.delete(oldest.value);
      }
    }
    e.deviceKey = deviceKey;
    e.device = v;
    e.deviceExp = exp;
  }

  dropMailbox(user: string): void {
    const e = this.users.get(user);
    if (e !== undefined) e.mailboxExp = 0;
  }

  dropAssociation(user: string, deviceKey: string): void {
    const e = this.users.get(user);
    if (e === undefined) return;
    if (e.deviceKey === deviceKey) e.deviceExp = 0;
    e.others?.delete(deviceKey);
  }

  clear(): void {
    this.users.clear();
    this.lastUser = this.lastEntry = undefined;
  }
}

/**
 * The sample upstream's mail store: one small fixed folder hierarchy per user, mails in
 * memory, and watchers that held Pings and Sync waits use to wake up on a delivery.
 */
import { FOLDER_TYPE } from '../common/protocol.js';

export interface SampleFolder {
  readonly serverId: string;
  readonly parentId: string;
  readonly displayName: string;
  readonly type: number;
}

/** The hierarchy every mailbox has ([MS-ASCMD] 2.2.3.186.3 folder types). */
export const FOLDERS: readonly SampleFolder[] = Object.freeze([
  { serverId: '1', parentId: '0', displayName: 'Inbox', type: FOLDER_TYPE.inbox },
  { serverId: '2', parentId: '0', displayName: 'Drafts', type: FOLDER_TYPE.drafts },
  { serverId: '3', parentId: '0', displayName: 'Deleted Items', type: FOLDER_TYPE.deleted },
  { serverId: '4', parentId: '0', displayName: 'Sent Items', type: FOLDER_TYPE.sent },
  { serverId: '5', parentId: '0', displayName: 'Outbox', type: FOLDER_TYPE.outbox },
  { serverId: '6', parentId: '0', displayName: 'Calendar', type: FOLDER_TYPE.calendar },
  { serverId: '7', parentId: '0', displayName: 'Contacts', type: FOLDER_TYPE.contacts },
]);

export const INBOX_ID = '1';
export const SENT_ID = '4';

export function folderById(serverId: string): SampleFolder | undefined {
  return FOLDERS.find((f) => f.serverId === serverId);
}

export interface SampleMail {
  /** "<folder>:<n>", unique within the mailbox. */
  readonly serverId: string;
  readonly folderId: string;
  readonly from: string;
  readonly to: string;
  readonly subject: string;
  readonly body: string;
  readonly received: Date;
  readonly read: boolean;
}

export interface MailInput {
  from?: string;
  to?: string;
  subject?: string;
  body?: string;
  received?: Date;
  read?: boolean;
  /** Folder ServerId; default the Inbox. */
  folderId?: string;
}

type Watcher = (folderId: string) => void;

export class Mailbox {
  private readonly items = new Map<string, SampleMail[]>();
  private readonly watchers = new Set<Watcher>();
  private next = 1;

  constructor(readonly address: string) {}

  add(input: MailInput): SampleMail {
    const folderId = input.folderId ?? INBOX_ID;
    if (folderById(folderId) === undefined) throw new RangeError(`no folder ${folderId}`);
    const n = this.next++;
    const mail: SampleMail = {
      serverId: `${folderId}:${n}`,
      folderId,
      from: input.from ?? 'Carol Example <carol@example.test>',
      to: input.to ?? this.address,
      subject: input.subject ?? `Sample message ${n}`,
      body: input.body ?? `Hello,\r\nthis is sample message number ${n}.\r\n`,
      received: input.received ?? new Date(),
      read: input.read ?? false,
    };
    const list = this.items.get(folderId) ?? [];
    list.push(mail);
    this.items.set(folderId, list);
    for (const w of [...this.watchers]) w(folderId);
    return mail;
  }

  list(folderId: string): readonly SampleMail[] {
    return this.items.get(folderId) ?? [];
  }

  /** Calls `fn` with the folder of every later delivery; returns the unsubscribe function. */
  watch(fn: Watcher): () => void {
    this.watchers.add(fn);
    return () => this.watchers.delete(fn);
  }
}

export class MailStore {
  private readonly boxes = new Map<string, Mailbox>();

  constructor(private readonly seedMails: number) {}

  /** The mailbox of `user` (logon name) at `address`, created and seeded on first use. */
  mailbox(user: string, address: string): Mailbox {
    const key = user.toLowerCase();
    let box = this.boxes.get(key);
    if (box === undefined) {
      box = new Mailbox(address);
      const start = Date.UTC(2025, 0, 6, 9, 0, 0);
      for (let i = 0; i < this.seedMails; i++) {
        box.add({ subject: `Welcome message ${i + 1}`, received: new Date(start + i * 3_600_000), read: i > 0 });
      }
      this.boxes.set(key, box);
    }
    return box;
  }

  reset(): void {
    this.boxes.clear();
  }
}

import type { Logger } from 'pino';
import { deviceKey, type Association, type OrganizationSettings } from '../policy/model.js';
import type { MailQueue, OutgoingMail } from './mail-queue.js';
import type { Mailer } from './mailer.js';
import { newDeviceMail, quarantineAdminMails, quarantineUserMail, wipeAcknowledgedMails } from './messages.js';

export interface NotifierOptions {
  queue: MailQueue;
  mailer: Mailer;
  logger?: Logger;
  /** How often the worker looks for due jobs (retries, other replicas' events). Default 1 s. */
  pollMs?: number;
}

/**
 * Turns device events into mails on the durable queue, and sends them. Every replica runs
 * one: each event is enqueued under a deterministic id (the same event seen by two replicas
 * is one job), and the workers of all replicas share the queue's leased claims.
 */
export class Notifier {
  private readonly queue: MailQueue;
  private readonly mailer: Mailer;
  private readonly logger: Logger | undefined;
  private readonly pollMs: number;
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private again = false;

  constructor(options: NotifierOptions) {
    this.queue = options.queue;
    this.mailer = options.mailer;
    this.logger = options.logger;
    this.pollMs = options.pollMs ?? 1000;
  }

  /** A device was quarantined: the user and each AdminMailRecipient. Resolves to the mails newly queued. */
  /** Mails waiting to be sent (metrics). */
  pending(): Promise<number> {
    return this.queue.pendingCount();
  }

  notifyQuarantine(assoc: Association, org: OrganizationSettings, publicUrl: string): Promise<number> {
    const at = assoc.accessStateAt ?? assoc.firstSyncAt;
    const user = quarantineUserMail(assoc, org);
    return this.enqueue(`quarantine:${eventKey(assoc)}:${at}`, [...(user === undefined ? [] : [user]), ...quarantineAdminMails(assoc, org, publicUrl)]);
  }

  /** A new device joined the mailbox (when the organisation turned this mail on): the user. */
  notifyNewDevice(assoc: Association): Promise<number> {
    const mail = newDeviceMail(assoc);
    return this.enqueue(`new-device:${eventKey(assoc)}:${assoc.firstSyncAt}`, mail === undefined ? [] : [mail]);
  }

  /** A device acknowledged its wipe: the requestor and each AdminMailRecipient. */
  notifyWipeAcknowledged(assoc: Association, org: OrganizationSettings, publicUrl: string): Promise<number> {
    const at = assoc.wipeAckAt ?? assoc.wipeRequestedAt ?? 0;
    return this.enqueue(`wipe-ack:${eventKey(assoc)}:${at}`, wipeAcknowledgedMails(assoc, org, publicUrl));
  }

  /** Starts the worker: at once, then every pollMs and whenever this notifier enqueues. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  /** Stops the worker; resolves once a send under way has finished and been recorded. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    await this.inFlight;
  }

  /** Sends every job due now (one worker pass); what start() runs on each tick. */
  drain(): Promise<number> {
    return this.work(false);
  }

  private async work(worker: boolean): Promise<number> {
    let sent = 0;
    for (;;) {
      const claim = await this.queue.claim();
      if (claim === undefined) return sent;
      const { job } = claim;
      try {
        await this.mailer.send(job);
        const ok = await this.queue.complete(claim);
        if (ok) sent += 1;
        this.logger?.info({ mailId: job.id, attempt: job.attempts, recorded: ok }, 'notification mail sent');
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        const outcome = await this.queue.fail(claim, message);
        const level = outcome === 'failed' ? 'error' : 'warn';
        this.logger?.[level]({ mailId: job.id, attempt: job.attempts, outcome, error: message }, 'notification mail not sent');
      }
      if (worker && !this.running) return sent;
    }
  }

  private async enqueue(eventId: string, mails: OutgoingMail[]): Promise<number> {
    let added = 0;
    for (const m of mails) if (await this.queue.enqueue({ id: `${eventId}:${m.to.toLowerCase()}`, ...m })) added += 1;
    if (added > 0) this.kick();
    return added;
  }

  private kick(): void {
    if (!this.running) return;
    if (this.inFlight !== undefined) {
      this.again = true;
      return;
    }
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.schedule(0);
  }

  private schedule(ms: number): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.inFlight = this.tick().finally(() => {
        this.inFlight = undefined;
        // Stopped, or stopped and started again (which scheduled its own pass).
        if (!this.running || this.timer !== undefined) return;
        const next = this.again ? 0 : this.pollMs;
        this.again = false;
        this.schedule(next);
      });
    }, ms);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    try {
      await this.work(true);
    } catch (err) {
      this.logger?.warn({ error: err instanceof Error ? err.message : String(err) }, 'notification queue unavailable');
    }
  }
}

function eventKey(a: Association): string {
  return `${a.user}/${deviceKey(a.deviceId)}`;
}

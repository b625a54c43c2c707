import nodemailer, { type Transporter } from 'nodemailer';
import type { OutgoingMail } from './mail-queue.js';

/** What the worker sends through; a rejection is a failed attempt (retried by the queue). */
export interface Mailer {
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

export interface SmtpMailerOptions {
  /** EASGATE_SMTP_URL: `smtp://host:port`, `smtp://user:pass@host:587` (STARTTLS when offered), `smtps://user:pass@host`. */
  url: string;
  /** EASGATE_MAIL_FROM, e.g. `easgate <easgate@example.com>`. */
  from: string;
  /** Connection, greeting and socket timeouts; keep them well under the queue's lease. Default 30 s. */
  timeoutMs?: number;
}

/** The SMTP URL as it may be logged: scheme, host and port, never the user or password. */
export function describeSmtpUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return '(unparsable SMTP URL)';
  }
}

/** Sends through nodemailer's SMTP transport (one pooled-less connection per mail). */
export class SmtpMailer implements Mailer {
  private readonly transport: Transporter;
  private readonly from: string;

  constructor(options: SmtpMailerOptions) {
    const t = options.timeoutMs ?? 30_000;
    const u = new URL(options.url);
    const secure = u.protocol === 'smtps:';
    const port = u.port === '' ? (secure ? 465 : 25) : Number(u.port);
    const user = decodeURIComponent(u.username);
    this.transport = nodemailer.createTransport({
      host: u.hostname,
      port,
      secure,
      ...(user === '' ? {} : { auth: { user, pass: decodeURIComponent(u.password) } }),
      connectionTimeout: t,
      greetingTimeout: t,
      socketTimeout: t,
      // Own-network relays often present internal certificates; ?tls=insecure opts out of checks.
      ...(u.searchParams.get('tls') === 'insecure' ? { tls: { rejectUnauthorized: false } } : {}),
      ...(u.searchParams.get('starttls') === 'off' ? { ignoreTLS: true } : {}),
      logger: false,
      debug: false,
    });
    this.from = options.from;
  }

  async send(mail: OutgoingMail): Promise<void> {
    await this.transport.sendMail({ from: this.from, to: mail.to, subject: mail.subject, text: mail.text });
  }

  close(): void {
    this.transport.close();
  }
}

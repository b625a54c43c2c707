import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  raw: string;
}

export interface SmtpFixture {
  url: string;
  received: ReceivedMail[];
  /** DATA commands seen, accepted or not. */
  attempts: number;
  close(): Promise<void>;
  /** Resolves once `count` mails arrived (rejects after timeoutMs). */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedMail[]>;
}

export interface SmtpFixtureOptions {
  /** The first N messages are refused with a 451 after DATA. */
  failFirst?: number;
  /** Require this login (over plain SMTP; test only). */
  auth?: { user: string; pass: string };
}

/** A real SMTP server (the smtp-server package) on 127.0.0.1, port chosen by the OS. */
export async function startSmtp(options: SmtpFixtureOptions = {}): Promise<SmtpFixture> {
  const received: ReceivedMail[] = [];
  const fixture = { received, attempts: 0 } as SmtpFixture;
  const server = new SMTPServer({
    secure: false,
    disabledCommands: options.auth === undefined ? ['STARTTLS', 'AUTH'] : ['STARTTLS'],
    allowInsecureAuth: true,
    authOptional: options.auth === undefined,
    logger: false,
    onAuth(auth, _session, cb) {
      if (auth.username === options.auth?.user && auth.password === options.auth?.pass) cb(null, { user: auth.username });
      else cb(new Error('Invalid username or password'));
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        fixture.attempts += 1;
        if (fixture.attempts <= (options.failFirst ?? 0)) {
          const err = Object.assign(new Error('Temporary failure, try again'), { responseCode: 451 });
          cb(err);
          return;
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        const from = session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address;
        received.push({ from, to: session.envelope.rcptTo.map((r) => r.address), subject: header(raw, 'subject'), text: body(raw), raw });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  const cred = options.auth === undefined ? '' : `${encodeURIComponent(options.auth.user)}:${encodeURIComponent(options.auth.pass)}@`;
  fixture.url = `smtp://${cred}127.0.0.1:${port}?starttls=off`;
  fixture.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  fixture.waitFor = async (count, timeoutMs = 10_000) => {
    const until = Date.now() + timeoutMs;
    while (received.length < count) {
      if (Date.now() > until) throw new Error(`expected ${count} mails, got ${received.length}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return received;
  };
  return fixture;
}

function unfoldedHeaders(raw: string): string {
  const end = raw.indexOf('\r\n\r\n');
  return raw.slice(0, end < 0 ? raw.length : end).replace(/\r\n[ \t]+/g, ' ');
}

function header(raw: string, name: string): string {
  const line = unfoldedHeaders(raw)
    .split('\r\n')
    .find((l) => l.toLowerCase().startsWith(`${name}:`));
  return line === undefined ? '' : line.slice(name.length + 1).trim();
}

/** The text body, quoted-printable decoded when it is. */
function body(raw: string): string {
  const end = raw.indexOf('\r\n\r\n');
  let b = end < 0 ? '' : raw.slice(end + 4);
  if (/quoted-printable/i.test(header(raw, 'content-transfer-encoding'))) {
    b = b.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
  }
  return b.replace(/\r\n/g, '\n');
}

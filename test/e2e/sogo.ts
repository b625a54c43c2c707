/**
 * The SOGo rig of the end-to-end suite (started by test/e2e/sogo/setup.sh, see
 * docs/sogo.md): where it answers, its users, and the two things a test does to its
 * mailboxes besides ActiveSync (deliver a mail with dovecot's LDA, empty a folder).
 */
import { execFile, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { request } from 'undici';
import { afterAll, beforeAll } from 'vitest';
import { startGateway, type TestGateway } from '../helpers/gateway.js';

export const SOGO_URL = process.env.EASGATE_SOGO_URL ?? 'http://127.0.0.1:20000/SOGo/Microsoft-Server-ActiveSync';

/** The users setup.sh creates (one per test file, so that files running at once do not meet). */
export const SOGO_USERS = {
  /** the load and wrong-password tests (nothing of his mailbox changes) */
  alice: { user: 'alice', password: 'alice123' },
  /** receives what the conversations send */
  bob: { user: 'bob', password: 'bob123' },
  /** the conversation compared directly and through easgate */
  carol: { user: 'carol', password: 'tr0ub4dor&3' },
  /** push */
  dave: { user: 'dave', password: 'S3cret-Pa55word!' },
} as const;

/** SOGoInternalSyncInterval in setup.sh's sogo.conf: how often a held Ping looks for changes. */
export const SOGO_POLL_INTERVAL_MS = 5_000;

const DOVECOT_CONF = '/etc/dovecot/sogotest.conf';
const run = promisify(execFile);

/**
 * Fails (never skips) with the reason and the way to start SOGo when it does not answer:
 * the suite proves easgate against a real server, and a CI run without one proves nothing.
 */
export async function requireSogo(): Promise<void> {
  const hint = 'start it with: sudo test/e2e/sogo/setup.sh (see docs/sogo.md), or point EASGATE_SOGO_URL at one';
  let status: number;
  try {
    const auth = Buffer.from(`${SOGO_USERS.alice.user}:${SOGO_USERS.alice.password}`).toString('base64');
    const res = await request(SOGO_URL, { method: 'OPTIONS', headers: { authorization: `Basic ${auth}` }, headersTimeout: 10_000, bodyTimeout: 10_000 });
    await res.body.dump();
    status = res.statusCode;
  } catch (err) {
    throw new Error(`SOGo does not answer at ${SOGO_URL} (${(err as { code?: string }).code ?? String(err)}); ${hint}`);
  }
  if (status !== 200) throw new Error(`SOGo at ${SOGO_URL} answers OPTIONS as alice with HTTP ${status}, not 200; ${hint}`);
}

const createdDevices = new Set<string>();

/** A device ID no earlier run used ([MS-ASHTTP] 2.2.1.1.1.2.3: up to 32 letters and digits). */
export function deviceId(prefix: string): string {
  const id = `${prefix}${Date.now().toString(36)}${Math.floor(Math.random() * 36 ** 4).toString(36)}`.toUpperCase().slice(0, 32);
  createdDevices.add(id);
  return id;
}

/**
 * Removes what SOGo keeps of the devices this file made up (its per-device sync state in
 * sogo_cache_folder: `/<DeviceId>` and `/<DeviceId>+folder…`, the ID in hex when it came
 * in a base64 query), so that runs do not pile up state in the rig.
 */
export async function forgetDevices(): Promise<void> {
  if (createdDevices.size === 0) return;
  const ids = [...createdDevices].flatMap((id) => [id, Buffer.from(id, 'latin1').toString('hex').toUpperCase()]);
  const where = ids.map((id) => `c_path = '/${id}' OR c_path LIKE '/${id}+%'`).join(' OR ');
  await run('psql', ['-h', '127.0.0.1', '-p', '5433', '-U', 'sogo', '-d', 'sogo', '-qtAc', `DELETE FROM sogo_cache_folder WHERE ${where}`], {
    env: { ...process.env, PGPASSWORD: 'sogopw' },
  });
  createdDevices.clear();
}

/** Delivers a plain-text mail into `user`'s Inbox with dovecot's LDA, as a mail server would. */
export async function deliver(user: string, subject: string): Promise<void> {
  const mime = [
    'From: Bob Example <bob@example.test>',
    `To: ${user}@example.test`,
    `Subject: ${subject}`,
    `Date: ${new Date().toUTCString()}`,
    `Message-ID: <${Date.now()}.${Math.random().toString(36).slice(2)}@example.test>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    `Hello ${user}, this is "${subject}".`,
    '',
  ].join('\r\n');
  await new Promise<void>((resolve, reject) => {
    const lda = spawn('/usr/lib/dovecot/dovecot-lda', ['-c', DOVECOT_CONF, '-d', user, '-f', 'bob@example.test'], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    lda.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    lda.on('error', reject);
    lda.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`dovecot-lda exited with ${code}: ${stderr.trim()}`))));
    lda.stdin.end(mime);
  });
}

/** Removes every mail from one of `user`'s folders. */
export async function emptyFolder(user: string, folder = 'INBOX'): Promise<void> {
  await run('doveadm', ['-c', DOVECOT_CONF, 'expunge', '-u', user, 'mailbox', folder, 'all']);
}

/** Number of mails in one of `user`'s folders. */
export async function countMails(user: string, folder = 'INBOX'): Promise<number> {
  const { stdout } = await run('doveadm', ['-c', DOVECOT_CONF, 'mailbox', 'status', '-u', user, 'messages', folder]);
  return Number(stdout.replace(/.*messages=/s, '').trim());
}

/**
 * The file's gateway in front of SOGo, started once the file holds the lock (beforeAll)
 * and stopped at its end; read `gw` inside the tests.
 */
export function gatewayInFrontOfSogo(env: Record<string, string> = {}): { readonly gw: TestGateway } {
  let gw: TestGateway | undefined;
  let unlock: () => void = () => undefined;
  beforeAll(async () => {
    unlock = await sogoLock();
    gw = await startGateway(SOGO_URL, env);
  }, LOCK_WAIT_MS);
  afterAll(async () => {
    await gw?.stop();
    try {
      await forgetDevices();
    } finally {
      unlock();
    }
  });
  return {
    get gw(): TestGateway {
      if (gw === undefined) throw new Error('the gateway is not started yet');
      return gw;
    },
  };
}

export function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Waits until `check` holds, looking every `everyMs`. */
export async function until(check: () => boolean | Promise<boolean>, ms: number, everyMs = 50): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`not reached within ${ms} ms`);
    await delay(everyMs);
  }
}

/** How long a file's beforeAll may wait for the lock (the other files run meanwhile). */
export const LOCK_WAIT_MS = 300_000;

/**
 * One end-to-end test at a time per machine: the tests change mailboxes (carol's Inbox is
 * emptied and refilled) and lean on sogod's few workers, so two suites running at once
 * against one SOGo (two engineers, or two files) would disturb each other. A lock file
 * with the holder's pid; a lock whose holder is gone is taken over.
 */
export async function sogoLock(timeoutMs = LOCK_WAIT_MS - 10_000): Promise<() => void> {
  const file = join(tmpdir(), 'easgate-e2e-sogo.lock');
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      const fd = openSync(file, 'wx');
      writeFileSync(fd, String(process.pid));
      closeSync(fd);
      return () => {
        try {
          if (readFileSync(file, 'utf8') === String(process.pid)) unlinkSync(file);
        } catch {
          // already gone
        }
      };
    } catch (err) {
      if ((err as { code?: string }).code !== 'EEXIST') throw err;
    }
    let holder = NaN;
    try {
      holder = Number(readFileSync(file, 'utf8'));
    } catch {
      continue;
    }
    if (!alive(holder)) {
      try {
        unlinkSync(file);
      } catch {
        // someone else took it over first
      }
      continue;
    }
    if (Date.now() > end) throw new Error(`the SOGo end-to-end lock ${file} is held by pid ${holder} for more than ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as { code?: string }).code === 'EPERM';
  }
}

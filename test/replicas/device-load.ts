import type { Dispatcher } from 'undici';
import { DeviceSimulator } from '../../src/peers/index.js';

/** The sample upstream's users. */
export const LOAD_USERS = [
  { user: 'alice@example.test', password: 'alice123' },
  { user: 'bob@example.test', password: 'bob123' },
] as const;

export interface Answer {
  at: number;
  device: string;
  /** One of the devices syncing throughout (else a device seen for the first time). */
  known: boolean;
  status: number;
  easStatus: number | undefined;
  error: string | undefined;
  retryAfter: string | undefined;
}

export interface LoadOutcome {
  answers: Answer[];
  /** Requests that got no HTTP answer at all. */
  transport: string[];
  /** When `change` was called and when it resolved. */
  started: number;
  done: number;
  knownDevices: string[];
}

export function loadDevice(url: string, dispatcher: Dispatcher, n: number, deviceId: string): DeviceSimulator {
  const u = LOAD_USERS[n % LOAD_USERS.length]!;
  return new DeviceSimulator({ url, user: u.user, password: u.password, deviceId, protocolVersion: '14.1', dispatcher });
}

/**
 * Devices against a gateway while `change` happens: `knownCount` devices (set up first) run
 * FolderSync in a loop and a new device arrives after each answer to the previous one.
 * `before` runs once the load has run for a second, `change` after it; the load goes on
 * for `afterMs` once `change` resolved.
 */
export async function underDeviceLoad(o: {
  url: string;
  dispatcher: Dispatcher;
  label: string;
  knownCount?: number;
  afterMs?: number;
  before?: () => Promise<void>;
  change: () => Promise<void>;
}): Promise<LoadOutcome> {
  const known = Array.from({ length: o.knownCount ?? 6 }, (_, i) => loadDevice(o.url, o.dispatcher, i, `${o.label}KNOWN${i}`));
  for (const s of known) {
    const r = (await s.folderSync()).response;
    if (r.status !== 200) throw new Error(`${s.deviceId} could not start: HTTP ${r.status}`);
  }
  const answers: Answer[] = [];
  const transport: string[] = [];
  const ask = async (s: DeviceSimulator, isKnown: boolean): Promise<void> => {
    try {
      const r = (await s.folderSync()).response;
      answers.push({
        at: Date.now(),
        device: s.deviceId,
        known: isKnown,
        status: r.status,
        easStatus: r.easStatus,
        error: r.headers['x-easgate-error'] as string | undefined,
        retryAfter: r.headers['retry-after'] as string | undefined,
      });
    } catch (err) {
      transport.push(`${s.deviceId}: ${(err as Error).message}`);
    }
  };
  let stop = false;
  const loops = known.map(async (s) => {
    while (!stop) await ask(s, true);
  });
  const arrivals = (async () => {
    for (let n = 0; !stop; n++) {
      const s = loadDevice(o.url, o.dispatcher, n, `${o.label}NEW${n}`);
      await ask(s, false);
      await s.close();
    }
  })();
  await new Promise((r) => setTimeout(r, 1000));
  await o.before?.();
  const started = Date.now();
  await o.change();
  const done = Date.now();
  await new Promise((r) => setTimeout(r, o.afterMs ?? 1500));
  stop = true;
  await Promise.all([...loops, arrivals]);
  for (const s of known) await s.close();
  return { answers, transport, started, done, knownDevices: known.map((s) => s.deviceId) };
}

/** The longest time between two consecutive answers of the selection, in ms. */
export function longestGap(answers: readonly Answer[]): number {
  let gap = 0;
  for (let i = 1; i < answers.length; i++) gap = Math.max(gap, answers[i]!.at - answers[i - 1]!.at);
  return gap;
}

import type { Server } from 'node:http';
import type { Logger } from 'pino';
import { sendWbxml } from './answers.js';
import type { LongPolls } from './long-polls.js';
import { PING_STATUS_1 } from './ping-answer.js';


/**
 * Ends every held Ping with Status 1 so that the device just sends its next Ping (to
 * another replica, or to this one after a restart) and shows no error. Held Syncs are not
 * answered locally: the upstream may already have applied the device's changes, and only
 * its answer carries the resulting IDs; they get until the drain deadline.
 */
export function answerHeldPings(longPolls: LongPolls): number {
  let n = 0;
  for (const h of longPolls.waiting()) {
    if (h.request.command?.name !== 'Ping') continue;
    h.handler.detach(new Error('gateway is stopping'));
    sendWbxml(h.res, 200, PING_STATUS_1, { connection: 'close' });
    n++;
  }
  return n;
}

/** Counts requests in flight so that a graceful stop knows when it is done. */
export class InFlight {
  private count = 0;
  private waiters: (() => void)[] = [];

  enter(): () => void {
    this.count++;
    let left = false;
    return () => {
      if (left) return;
      left = true;
      this.count--;
      if (this.count === 0) for (const w of this.waiters.splice(0)) w();
    };
  }

  get size(): number {
    return this.count;
  }

  /** Resolves true when nothing is in flight, false when `ms` passed first. */
  idle(ms: number): Promise<boolean> {
    if (this.count === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== done);
        resolve(false);
      }, ms);
      const done = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      this.waiters.push(done);
    });
  }
}

/**
 * Graceful stop of the device listener: stop accepting, close idle keep-alive
 * connections, answer held Pings, let the rest finish until the deadline, then close what
 * is left.
 */
export async function drainServer(server: Server, longPolls: LongPolls, inFlight: InFlight, deadlineMs: number, log: Logger): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const pings = answerHeldPings(longPolls);
  log.info({ pings, inFlight: inFlight.size }, 'draining');
  const clean = await inFlight.idle(deadlineMs);
  if (!clean) log.warn({ inFlight: inFlight.size }, 'drain deadline reached; closing the remaining connections');
  server.closeAllConnections();
  await closed;
}

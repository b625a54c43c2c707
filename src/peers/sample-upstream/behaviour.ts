/**
 * Misbehaviour switches of the sample upstream, chosen per request with the
 * `X-Sample-Behaviour` header or queued through `control.behave()`.
 *
 * A spec is a comma-separated list of tokens:
 * - `delay=<ms>`: wait before answering (a slow upstream);
 * - `449`: "retry after Provision" (docs/protocol.md 1.6, 3.4);
 * - `451` or `451=<url>`: redirect with `X-MS-Location` ([MS-ASHTTP] 2.2.2.1.2);
 * - `503` or `503=<seconds>`: unavailable with `Retry-After` ([MS-ASHTTP] 2.2.2.1.1);
 * - any other 3-digit status (`500`, `403`, …): that status with an empty body;
 * - `eas=<n>`: HTTP 200 with `<Command><Status>n</Status></Command>`, the 14.0+ way of
 *   saying blocked (129), disabled (126), … ([MS-ASCMD] 2.2.2; docs/protocol.md 2.2);
 * - `destroy`: drop the connection without an answer;
 * - `hold`: never answer (until the client or the server gives up).
 */
export const BEHAVIOUR_HEADER = 'x-sample-behaviour';

export type BehaviourAction =
  | { kind: 'status'; status: number; value: string | undefined }
  | { kind: 'eas'; status: number }
  | { kind: 'destroy' }
  | { kind: 'hold' };

export interface Behaviour {
  delayMs: number;
  action: BehaviourAction | undefined;
  /** The spec as given, for the request log. */
  spec: string;
}

/** A switch spec that does not parse (the request gets 400). */
export class BehaviourError extends Error {
  override readonly name = 'BehaviourError';
}

export function parseBehaviour(spec: string): Behaviour {
  const b: Behaviour = { delayMs: 0, action: undefined, spec };
  for (const raw of spec.split(',')) {
    const token = raw.trim();
    if (token === '') continue;
    const eq = token.indexOf('=');
    const name = (eq < 0 ? token : token.slice(0, eq)).toLowerCase();
    const value = eq < 0 ? undefined : token.slice(eq + 1);
    if (name === 'delay' || name === 'slow') {
      const ms = Number(value);
      if (!Number.isFinite(ms) || ms < 0) throw new BehaviourError(`delay needs milliseconds, got "${value}"`);
      b.delayMs = ms;
    } else if (name === 'destroy' || name === 'refuse') {
      b.action = { kind: 'destroy' };
    } else if (name === 'hold') {
      b.action = { kind: 'hold' };
    } else if (name === 'eas') {
      const status = Number(value);
      if (!Number.isInteger(status) || status <= 0) throw new BehaviourError(`eas needs a Status number, got "${value}"`);
      b.action = { kind: 'eas', status };
    } else if (/^[1-5]\d\d$/.test(name)) {
      b.action = { kind: 'status', status: Number(name), value };
    } else {
      throw new BehaviourError(`unknown behaviour "${token}"`);
    }
  }
  return b;
}

export interface QueuedBehaviour {
  behaviour: Behaviour;
  /** How many more requests it applies to (Infinity = until cleared). */
  remaining: number;
  /** Only requests for this command (case-insensitive), when set. */
  command: string | undefined;
  /** Only requests of this user (logon name), when set. */
  user: string | undefined;
}

export interface BehaveOptions {
  times?: number;
  command?: string;
  user?: string;
}

/** The queue of switches set through control; the first that matches a request applies. */
export class BehaviourQueue {
  private queue: QueuedBehaviour[] = [];

  add(spec: string, o: BehaveOptions = {}): void {
    this.queue.push({ behaviour: parseBehaviour(spec), remaining: o.times ?? Infinity, command: o.command, user: o.user });
  }

  take(command: string | undefined, user: string | undefined): Behaviour | undefined {
    const i = this.queue.findIndex(
      (q) =>
        (q.command === undefined || q.command.toLowerCase() === command?.toLowerCase()) &&
        (q.user === undefined || q.user.toLowerCase() === user?.toLowerCase()),
    );
    const q = this.queue[i];
    if (q === undefined) return undefined;
    if (--q.remaining <= 0) this.queue.splice(i, 1);
    return q.behaviour;
  }

  clear(): void {
    this.queue = [];
  }
}

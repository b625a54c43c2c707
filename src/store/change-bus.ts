import { randomUUID } from 'node:crypto';
import { Cluster } from 'ioredis';
import { closeRedis } from './redis-connect.js';
import type { RedisClient } from './redis-scripts.js';
import type { Change, ChangeListener } from './types.js';

/** In-process fan-out of changes; one listener's failure does not stop the others or the write. */
export class Listeners {
  private readonly set = new Set<ChangeListener>();

  add(listener: ChangeListener): () => void {
    this.set.add(listener);
    return () => this.set.delete(listener);
  }

  emit(change: Change): void {
    for (const l of this.set) {
      try {
        l(change);
      } catch {
        // the listener's failure is its own; the write has happened
      }
    }
  }

  clear(): void {
    this.set.clear();
  }
}

/**
 * Changes across replicas: every write publishes `{o: origin, k: kind, key}` on one channel
 * (inside its MULTI or Lua script); a subscriber connection delivers other replicas'
 * messages to the listeners, which hear their own store's writes at once. After a
 * reconnect of the subscriber, messages may have been lost: listeners hear `resync`.
 */
export class RedisChangeBus extends Listeners {
  private readonly origin = randomUUID();
  private subscriber: RedisClient | undefined;
  private subscribing: Promise<void> | undefined;

  constructor(
    private readonly client: RedisClient,
    readonly channel: string,
  ) {
    super();
  }

  /** PUBLISH arguments for a change: [channel, message]. */
  notice(change: Change): [string, string] {
    return [this.channel, JSON.stringify({ o: this.origin, k: change.kind, key: change.key })];
  }

  /** Adds a listener; resolves once the subscription is active. */
  async listen(listener: ChangeListener): Promise<() => void> {
    const remove = this.add(listener);
    this.subscribing ??= this.subscribe();
    await this.subscribing;
    return remove;
  }

  private async subscribe(): Promise<void> {
    // ioredis' own resubscription after a reconnect has no rejection handler: a connection
    // closed before its reply (a stop while Redis comes back) was an unhandled rejection.
    // This bus resubscribes itself (the Cluster client's subscriber does it its own way).
    const sub: RedisClient = this.client instanceof Cluster ? this.client.duplicate() : this.client.duplicate({ autoResubscribe: false });
    this.subscriber = sub;
    let ready = false;
    sub.on('message', (channel: string, message: string) => {
      if (channel !== this.channel) return;
      let m: { o?: string; k?: Change['kind']; key?: string };
      try {
        m = JSON.parse(message) as typeof m;
      } catch {
        return;
      }
      if (m.o === this.origin || m.k === undefined) return;
      this.emit(m.key === undefined ? { kind: m.k } : { kind: m.k, key: m.key });
    });
    sub.on('ready', () => {
      if (!ready) return;
      if (sub instanceof Cluster) return this.emit({ kind: 'resync' });
      // Listeners resync once messages flow again, so that nothing falls between the two.
      sub.subscribe(this.channel).then(
        () => this.emit({ kind: 'resync' }),
        () => undefined, // closed again: the next 'ready' tries anew
      );
    });
    sub.on('error', () => {
      // ioredis reconnects by itself; the reload backstop covers the gap
    });
    await sub.subscribe(this.channel);
    ready = true;
  }

  async close(): Promise<void> {
    this.clear();
    const sub = this.subscriber;
    if (sub !== undefined) await closeRedis(sub);
  }

  /** Drops the subscriber connection at once (Redis gone: nothing to say goodbye to). */
  disconnect(): void {
    this.clear();
    this.subscriber?.disconnect();
  }
}

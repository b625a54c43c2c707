import { Redis } from 'ioredis';
import { MemoryMailQueue } from '../../src/notify/memory-mail-queue.js';
import type { MailQueue, MailQueueOptions } from '../../src/notify/mail-queue.js';
import { RedisMailQueue } from '../../src/notify/redis-mail-queue.js';
import { REDIS_URL, dropPrefix, uniquePrefix } from '../store/redis-fixture.js';

/** Queues that share one set of jobs, as replicas do: each on its own Redis connection. */
export interface SharedQueues {
  make(options?: MailQueueOptions): MailQueue;
  close(): Promise<void>;
}

export function redisReplicas(label: string): SharedQueues {
  const keyPrefix = uniquePrefix(label);
  const clients: Redis[] = [];
  return {
    make(options = {}) {
      const client = new Redis(REDIS_URL, { maxRetriesPerRequest: 2 });
      clients.push(client);
      return new RedisMailQueue({ client, keyPrefix, ...options });
    },
    async close() {
      await dropPrefix(keyPrefix);
      await Promise.all(clients.map((c) => c.quit()));
    },
  };
}

/** One in-process queue handed to every "replica" (one process: the memory queue's scope). */
export function memoryReplicas(options: MailQueueOptions = {}): SharedQueues {
  let queue: MailQueue | undefined;
  return {
    make(o = {}) {
      queue ??= new MemoryMailQueue({ ...options, ...o });
      return queue;
    },
    async close() {},
  };
}

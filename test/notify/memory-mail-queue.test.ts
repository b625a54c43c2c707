import { MemoryMailQueue } from '../../src/notify/memory-mail-queue.js';
import { mailQueueContract } from './mail-queue-contract.js';

mailQueueContract('memory', async (options) => new MemoryMailQueue(options));

import type { Store } from '../../src/store/index.js';
import { storeContract } from './contract.js';
import { dropPrefix, redisStore, uniquePrefix } from './redis-fixture.js';

// A real Redis server: EASGATE_TEST_REDIS_URL (default redis://127.0.0.1:6379); each test
// gets its own key prefix, removed afterwards.
storeContract('RedisStore', async () => {
  const prefix = uniquePrefix('contract');
  const store = redisStore(prefix);
  const peers: Store[] = [];
  return {
    store,
    peer: async () => {
      const p = redisStore(prefix);
      peers.push(p);
      return p;
    },
    cleanup: async () => {
      await Promise.all([store, ...peers].map((s) => s.close()));
      await dropPrefix(prefix);
    },
  };
});

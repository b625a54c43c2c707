import { defineConfig } from 'vitest/config';
import full from './vitest.config.js';

// `npm run test:fast`: the loop developers use (codec, protocol, policy, the admin API and
// CLI, the store contract on the run's Redis and in memory, the sync engine): under a
// minute on 2 cores. Left out: what starts server topologies (Sentinel, Cluster, TLS Redis),
// child gateway processes, haproxy or SOGo, and tests that wait out timeouts on purpose.
// `npm test` runs everything.
export default defineConfig({
  test: {
    ...full.test,
    include: [
      'test/*.test.ts',
      'test/{wbxml,eas,policy,api,config,cli,cli-admin,metrics,store,notify,sync,peers}/**/*.test.ts',
      'test/test-env/provisioning-*.test.ts',
    ],
    exclude: [
      ...(full.test?.exclude ?? []),
      'test/store/redis-{sentinel,sentinel-auth,cluster,tls}.test.ts',
      'test/store/{gateway-waits-for-redis-at-start,key-schema-version}.test.ts',
      'test/sync/{a-replica-killed-mid-batch,one-replica-syncs-at-a-time}.test.ts',
      'test/notify/{failing-smtp-is-retried-with-backoff,two-replicas-send-each-mail-once,dead-workers-lease-expires}.test.ts',
      'test/peers/ping-held-until-deliver-or-heartbeat.test.ts',
    ],
  },
});

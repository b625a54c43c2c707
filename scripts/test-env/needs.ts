/**
 * What the test suites need from the machine, declared once: each tool with the Debian
 * package that brings it and why the tests need it. `npm test` (and `.ci/run` through it)
 * and `npm run test:fast` install what is missing from this table (see provision.ts).
 */
export type Suite = 'fast' | 'full';

export interface ToolNeed {
  /** the command looked up on PATH */
  readonly command: string;
  /** the Debian 12 package that installs it */
  readonly pkg: string;
  /** which suites need it */
  readonly suites: readonly Suite[];
  /** why, shown when it cannot be installed */
  readonly why: string;
}

export const TOOL_NEEDS: readonly ToolNeed[] = [
  { command: 'wbxml2xml', pkg: 'libwbxml2-utils', suites: ['fast', 'full'], why: 'the WBXML codec is compared with libwbxml' },
  { command: 'redis-server', pkg: 'redis-server', suites: ['fast', 'full'], why: 'the store contract runs against a real Redis' },
  { command: 'redis-cli', pkg: 'redis-tools', suites: ['full'], why: 'the Redis Cluster tests create their cluster with redis-cli' },
  { command: 'openssl', pkg: 'openssl', suites: ['full'], why: 'the TLS tests make throwaway certificates' },
  { command: 'redis-sentinel', pkg: 'redis-sentinel', suites: ['full'], why: 'the Sentinel failover tests' },
  { command: 'haproxy', pkg: 'haproxy', suites: ['full'], why: 'two replicas behind a real load balancer' },
  { command: 'chromium', pkg: 'chromium', suites: ['full'], why: 'the admin console is tested in a real browser (playwright-core drives Debian\'s Chromium)' },
];

/** The SOGo rig of the end-to-end suite (test/e2e/sogo/setup.sh), needed by the full suite. */
export const SOGO_DEFAULT_URL = 'http://127.0.0.1:20000/SOGo/Microsoft-Server-ActiveSync';
export const SOGO_SETUP = 'test/e2e/sogo/setup.sh';
export const SOGO_STOP = 'test/e2e/sogo/stop.sh';

export function needsOf(suite: Suite): ToolNeed[] {
  return TOOL_NEEDS.filter((n) => n.suites.includes(suite));
}

/**
 * Every setting of the gateway, declared once: its environment variable, what it
 * accepts, its default and what it is for. `loadConfig` validates them into a frozen
 * object; the README's configuration table is checked against this list by a test.
 */
export type SettingKind =
  | { type: 'url'; protocols: readonly string[] }
  | { type: 'host' }
  | { type: 'port' }
  | { type: 'int'; min: number; max: number }
  | { type: 'enum'; values: readonly string[] }
  | { type: 'file' }
  | { type: 'bool' }
  | { type: 'string'; maxLength: number; minLength?: number; pattern?: RegExp; what?: string }
  /** A readable file, kept as its path (read by whoever needs it). */
  | { type: 'path' }
  /** NAME=value pairs separated by commas, e.g. CORP=corp.example.com,EU=eu.example.com. */
  | { type: 'map' }
  /** Where Redis is: one server, Sentinel or Cluster (src/store/redis-address.ts). */
  | { type: 'redis' };

export interface SettingSpec {
  readonly env: string;
  readonly kind: SettingKind;
  /** Default as the environment would spell it; undefined = optional with no default. */
  readonly default?: string;
  readonly required?: boolean;
  readonly doc: string;
}

const MINUTE = 60_000;

/** The longest heartbeat a device may ask for is 3540 s ([MS-ASCMD] Ping/Sync, docs/protocol.md 7). */
export const MAX_HEARTBEAT_MS = 3_540_000;

export const SETTINGS = {
  upstreamUrl: {
    env: 'EASGATE_UPSTREAM_URL',
    kind: { type: 'url', protocols: ['http:', 'https:'] },
    required: true,
    doc: 'Full URL of the upstream ActiveSync endpoint, e.g. https://mail.example.com/Microsoft-Server-ActiveSync',
  },
  host: { env: 'EASGATE_HOST', kind: { type: 'host' }, default: '0.0.0.0', doc: 'Address the device listener binds to' },
  port: { env: 'EASGATE_PORT', kind: { type: 'port' }, default: '8080', doc: 'Port of the device listener (0 picks a free one)' },
  publicUrl: {
    env: 'EASGATE_PUBLIC_URL',
    kind: { type: 'url', protocols: ['http:', 'https:'] },
    doc: 'How devices reach the gateway (its public ActiveSync URL); used to rewrite X-MS-Location on HTTP 451. Unset: derived from the request',
  },
  logLevel: {
    env: 'EASGATE_LOG_LEVEL',
    kind: { type: 'enum', values: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] },
    default: 'info',
    doc: 'Log level of the JSON log on stdout',
  },
  tlsCert: { env: 'EASGATE_TLS_CERT', kind: { type: 'file' }, doc: 'PEM certificate (chain) file; with EASGATE_TLS_KEY the device listener speaks HTTPS' },
  tlsKey: { env: 'EASGATE_TLS_KEY', kind: { type: 'file' }, doc: 'PEM private key file for EASGATE_TLS_CERT' },
  tlsReloadIntervalMs: {
    env: 'EASGATE_TLS_RELOAD_INTERVAL_MS',
    kind: { type: 'int', min: 100, max: 3_600_000 },
    default: '5000',
    doc: 'How often the TLS certificate and key files are checked for a change; a new valid pair is served to new connections without a restart (docs/operations.md)',
  },
  connectTimeoutMs: {
    env: 'EASGATE_UPSTREAM_CONNECT_TIMEOUT_MS',
    kind: { type: 'int', min: 100, max: 120_000 },
    default: '10000',
    doc: 'Time to open a connection to the upstream before the device gets 503',
  },
  requestTimeoutMs: {
    env: 'EASGATE_UPSTREAM_TIMEOUT_MS',
    kind: { type: 'int', min: 100, max: 3_600_000 },
    default: String(5 * MINUTE),
    doc: 'Short commands: longest wait for the upstream\'s response headers, and longest silence inside its body, before the device gets 504',
  },
  longPollTimeoutMs: {
    env: 'EASGATE_LONGPOLL_TIMEOUT_MS',
    kind: { type: 'int', min: 1_000, max: 7_200_000 },
    default: String(MAX_HEARTBEAT_MS + 2 * MINUTE),
    doc: 'Long-poll commands (Ping, Sync): the same limits, above the 3540 s maximum heartbeat plus a margin',
  },
  clientRequestTimeoutMs: {
    env: 'EASGATE_CLIENT_REQUEST_TIMEOUT_MS',
    kind: { type: 'int', min: 1_000, max: 7_200_000 },
    default: String(10 * MINUTE),
    doc: 'Longest time a device may take to send one whole request (a large SendMail on a slow link)',
  },
  clientIdleTimeoutMs: {
    env: 'EASGATE_CLIENT_IDLE_TIMEOUT_MS',
    kind: { type: 'int', min: 1_000, max: 7_200_000 },
    default: String(MAX_HEARTBEAT_MS + 3 * MINUTE),
    doc: 'A device socket with no traffic for this long is closed (above the long-poll timeout, so held Pings survive)',
  },
  keepAliveTimeoutMs: {
    env: 'EASGATE_KEEPALIVE_TIMEOUT_MS',
    kind: { type: 'int', min: 1_000, max: 600_000 },
    default: '75000',
    doc: 'How long an idle device connection is kept open between requests (keep it above a load balancer\'s idle timeout)',
  },
  upstreamKeepAliveMs: {
    env: 'EASGATE_UPSTREAM_KEEPALIVE_MS',
    kind: { type: 'int', min: 100, max: 600_000 },
    default: '4000',
    doc: 'How long an idle upstream connection is reused, once a trial has shown the upstream keeps idle connections that long (capped by its own Keep-Alive: timeout hint; see docs/sogo.md)',
  },
  upstreamConnections: {
    env: 'EASGATE_UPSTREAM_CONNECTIONS',
    kind: { type: 'int', min: 0, max: 1_000_000 },
    default: '0',
    doc: 'Most connections to the upstream at once (0 = no limit; every held Ping needs one)',
  },
  upstreamTlsVerify: {
    env: 'EASGATE_UPSTREAM_TLS_VERIFY',
    kind: { type: 'bool' },
    default: 'true',
    doc: 'Verify the upstream\'s TLS certificate (turn off only for a lab upstream)',
  },
  upstreamCa: { env: 'EASGATE_UPSTREAM_CA', kind: { type: 'file' }, doc: 'PEM file of extra CA certificates to trust for the upstream' },
  readyUpstreamWindowMs: {
    env: 'EASGATE_READY_UPSTREAM_WINDOW_MS',
    kind: { type: 'int', min: 1_000, max: 3_600_000 },
    default: '30000',
    doc: '/readyz answers 503 once the upstream has not answered anything (any HTTP status) for this long; without device traffic a light OPTIONS probe asks it',
  },
  readyStoreGraceMs: {
    env: 'EASGATE_READY_STORE_GRACE_MS',
    kind: { type: 'int', min: 0, max: 3_600_000 },
    default: '30000',
    doc: 'How long /readyz stays 200 while Redis does not answer (known devices are served from the cache meanwhile); then 503 until Redis answers again',
  },
  storeStartWaitMs: {
    env: 'EASGATE_STORE_START_WAIT_MS',
    kind: { type: 'int', min: 0, max: 3_600_000 },
    default: '60000',
    doc: 'How long the start waits for Redis to answer (the ports open only then); after that the process exits 1 with the reason (refused, unknown host, certificate, password)',
  },
  inspectBodyLimit: {
    env: 'EASGATE_INSPECT_BODY_LIMIT',
    kind: { type: 'int', min: 1024, max: 16 * 1024 * 1024 },
    default: '65536',
    doc: 'Largest Provision or Settings body the gateway reads (bigger gets 413); other bodies stream through unread',
  },
  drainTimeoutMs: {
    env: 'EASGATE_DRAIN_TIMEOUT_MS',
    kind: { type: 'int', min: 0, max: 600_000 },
    default: '20000',
    doc: 'On SIGTERM/SIGINT: how long to let short requests finish before the remaining connections are closed',
  },
  trustProxy: {
    env: 'EASGATE_TRUST_PROXY',
    kind: { type: 'bool' },
    default: 'false',
    doc: 'Trust X-Forwarded-For/-Proto from a load balancer in front of the gateway',
  },
  redisUrl: {
    env: 'EASGATE_REDIS_URL',
    kind: { type: 'redis' },
    doc: 'Redis holding the shared state of every replica: redis://[user:password@]host:port, rediss:// for TLS, redis+sentinel://[user:password@]host:26379,host:26379/<master name> for the primary named by Sentinels, or redis+cluster://[user:password@]host:port,host:port for a Cluster (docs/redis-ha.md). Unset: an in-memory store for one process',
  },
  redisSentinelPassword: {
    env: 'EASGATE_REDIS_SENTINEL_PASSWORD',
    kind: { type: 'string', maxLength: 512 },
    doc: 'Password of the Sentinels themselves (their requirepass), with a redis+sentinel:// EASGATE_REDIS_URL; the password in that URL is the data nodes\'',
  },
  redisCa: {
    env: 'EASGATE_REDIS_CA',
    kind: { type: 'file' },
    doc: 'PEM file of extra CA certificates to trust for Redis over TLS (a rediss… EASGATE_REDIS_URL): data nodes and Sentinels; the public roots stay trusted',
  },
  redisPrefix: {
    env: 'EASGATE_REDIS_PREFIX',
    kind: { type: 'string', maxLength: 64 },
    default: 'easgate',
    doc: 'Prefix of every Redis key (several gateways may share one Redis with different prefixes)',
  },
  policyFile: {
    env: 'EASGATE_POLICY_FILE',
    kind: { type: 'path' },
    doc: 'JSON policy applied at start as an idempotent upsert (docs/policy-file.md); a bad file stops the start naming the bad field',
  },
  defaultDomain: {
    env: 'EASGATE_DEFAULT_DOMAIN',
    kind: { type: 'host' },
    doc: 'Mail domain given to a bare user name (alice → alice@DOMAIN)',
  },
  netbiosDomains: {
    env: 'EASGATE_NETBIOS_DOMAINS',
    kind: { type: 'map' },
    doc: 'NetBIOS names of mail domains, NAME=domain pairs separated by commas: CORP\\alice becomes alice@domain',
  },
  authProbeTtlMs: {
    env: 'EASGATE_AUTH_PROBE_TTL_MS',
    kind: { type: 'int', min: 1_000, max: 3_600_000 },
    default: '300000',
    doc: 'How long the upstream\'s verdict on a refused device\'s credentials is remembered (one OPTIONS probe per credential per period)',
  },
  provisionLoopLimit: {
    env: 'EASGATE_PROVISION_LOOP_LIMIT',
    kind: { type: 'int', min: 1, max: 1_000 },
    default: '10',
    doc: 'Provisions of one device within EASGATE_PROVISION_LOOP_WINDOW_MS past which it is looping and told to come back later (503 with Retry-After), for a policy the gateway owns',
  },
  provisionLoopWindowMs: {
    env: 'EASGATE_PROVISION_LOOP_WINDOW_MS',
    kind: { type: 'int', min: 1_000, max: 86_400_000 },
    default: '600000',
    doc: 'The window of EASGATE_PROVISION_LOOP_LIMIT',
  },
  lastSyncWriteIntervalMs: {
    env: 'EASGATE_LAST_SYNC_WRITE_INTERVAL_MS',
    kind: { type: 'int', min: 0, max: 3_600_000 },
    default: '60000',
    doc: 'A device\'s last-sync times are written to the store at most this often (0: every second); requests in between are coalesced, and a graceful stop writes everything',
  },
  instanceName: {
    env: 'EASGATE_INSTANCE',
    kind: { type: 'string', maxLength: 128 },
    doc: 'Name of this replica in logs and records (default: the host name)',
  },
  adminToken: {
    env: 'EASGATE_ADMIN_TOKEN',
    kind: { type: 'string', maxLength: 200, minLength: 16, pattern: /^[\x21-\x7e]+$/, what: '16–200 printable characters without spaces' },
    doc: 'Bearer token of the bootstrap admin of the admin API (16–200 printable characters, no spaces); admins then create named tokens with roles. Unset: only tokens already in the store are accepted',
  },
  adminHost: {
    env: 'EASGATE_ADMIN_HOST',
    kind: { type: 'host' },
    default: '127.0.0.1',
    doc: 'Address of the admin API\'s own listener (used when EASGATE_ADMIN_PORT is set)',
  },
  adminPort: {
    env: 'EASGATE_ADMIN_PORT',
    kind: { type: 'port' },
    doc: 'Port of a separate listener for the admin API (/api/v1), so that it need not face the internet. Unset: the admin API is served on the device listener',
  },
  adminPublicUrl: {
    env: 'EASGATE_ADMIN_PUBLIC_URL',
    kind: { type: 'url', protocols: ['http:', 'https:'] },
    doc: 'How admins reach the admin listener, e.g. https://easgate-admin.example.com: notification mail links to the console\'s page of an association there (/admin/associations/USER/DEVICEID). Unset: the admin listener\'s own address (EASGATE_ADMIN_HOST:EASGATE_ADMIN_PORT), or without one the device listener\'s public URL',
  },
  consoleSessionMinutes: {
    env: 'EASGATE_CONSOLE_SESSION_MINUTES',
    kind: { type: 'int', min: 5, max: 10_080 },
    default: '480',
    doc: 'Lifetime of an admin console session (the browser\'s cookie after sign-in with an API token), in minutes; sign-out or revoking the token ends it sooner',
  },
  backendUrl: {
    env: 'EASGATE_BACKEND_URL',
    kind: { type: 'url', protocols: ['http:', 'https:'] },
    doc: 'Base URL of the management backend (docs/backend-api.yaml, docs/backend-sync.md); TLS is always verified. Unset: the backend sync does not run',
  },
  backendToken: {
    env: 'EASGATE_BACKEND_TOKEN',
    kind: { type: 'string', maxLength: 4096 },
    doc: 'Credential sent to the management backend as a bearer token',
  },
  backendCa: { env: 'EASGATE_BACKEND_CA', kind: { type: 'file' }, doc: 'PEM file of extra CA certificates to trust for the management backend' },
  backendTimeoutMs: {
    env: 'EASGATE_BACKEND_TIMEOUT_MS',
    kind: { type: 'int', min: 1_000, max: 600_000 },
    default: '30000',
    doc: 'Longest wait for one whole answer of the management backend (connecting: at most 10 s); a call that takes longer is retried',
  },
  syncDiffIntervalMs: {
    env: 'EASGATE_SYNC_DIFF_INTERVAL',
    kind: { type: 'int', min: 10_000, max: 604_800_000 },
    default: '14400000',
    doc: 'How often the backend sync pushes the associations created or changed since its last success (differential; 4 h)',
  },
  syncFullIntervalMs: {
    env: 'EASGATE_SYNC_FULL_INTERVAL',
    kind: { type: 'int', min: 60_000, max: 2_678_400_000 },
    default: '604800000',
    doc: 'How often the backend sync pushes every association, last-sync times included (full; one week)',
  },
  syncPullIntervalMs: {
    env: 'EASGATE_SYNC_PULL_INTERVAL',
    kind: { type: 'int', min: 10_000, max: 86_400_000 },
    default: '300000',
    doc: 'How often the backend sync pulls registered devices and pending actions between pushes (5 min): how long a wipe or a registration from the backend waits at most',
  },
  syncBatchSize: {
    env: 'EASGATE_SYNC_BATCH_SIZE',
    kind: { type: 'int', min: 1, max: 10_000 },
    default: '500',
    doc: 'Associations per batch pushed to the management backend',
  },
  syncLeaseMs: {
    env: 'EASGATE_SYNC_LEASE_MS',
    kind: { type: 'int', min: 1_000, max: 600_000 },
    default: '60000',
    doc: 'Lease of the replica that runs the backend sync (with EASGATE_REDIS_URL): renewed every third of it and before each write; when the holder dies, another replica takes over after it expires. A backend call must not take longer than this',
  },
  syncPacing: {
    env: 'EASGATE_SYNC_PACING',
    kind: { type: 'int', min: 0, max: 20 },
    default: '3',
    doc: 'After each batch the backend sync pauses for the batch\'s time × this × the devices\' share of the event loop (at most a quarter of the lease), so that a full sync does not starve devices; 0: no pause (bench/RESULTS.md)',
  },
  smtpUrl: {
    env: 'EASGATE_SMTP_URL',
    kind: { type: 'url', protocols: ['smtp:', 'smtps:'] },
    doc: 'SMTP server for notification mail (smtp://host:port, smtp://user:pass@host:587, smtps://…). Unset: no mail is sent',
  },
  mailFrom: {
    env: 'EASGATE_MAIL_FROM',
    kind: { type: 'string', maxLength: 320 },
    default: 'easgate <easgate@localhost>',
    doc: 'Sender of notification mail',
  },
  notifyNewDevices: {
    env: 'EASGATE_NOTIFY_NEW_DEVICES',
    kind: { type: 'bool' },
    default: 'false',
    doc: 'Tell users by mail when a new device joins their mailbox',
  },
  mailRetryMs: {
    env: 'EASGATE_MAIL_RETRY_MS',
    kind: { type: 'int', min: 100, max: 3_600_000 },
    default: '30000',
    doc: 'First delay before a mail the SMTP server refused is tried again (doubled each time, at most 1 h, 8 attempts)',
  },
} as const satisfies Record<string, SettingSpec>;

export type SettingName = keyof typeof SETTINGS;

/**
 * EASGATE_* variables that are not settings of the gateway but belong to the project: the
 * admin CLI's and the simulator's (read by those verbs), and prefixes of the test, benchmark
 * and fuzz tooling. Any other EASGATE_* variable stops the start: a misspelt setting must
 * not be ignored silently.
 */
export const OTHER_VARIABLES: ReadonlySet<string> = new Set(['EASGATE_API_URL', 'EASGATE_API_TOKEN', 'EASGATE_SIMULATE_PASSWORD']);
export const TOOL_PREFIXES: readonly string[] = ['EASGATE_TEST_', 'EASGATE_BENCH_', 'EASGATE_FUZZ_', 'EASGATE_SOGO_'];

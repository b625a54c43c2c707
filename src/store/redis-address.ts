/**
 * Where the gateway's Redis is (EASGATE_REDIS_URL), parsed once at start: one server, a
 * primary found through Sentinel, or a Cluster (docs/redis-ha.md). Pure: no connection is
 * made here (src/store/redis-connect.ts does that). Reasons for a refusal never repeat the
 * value, which may carry a password.
 */

export interface RedisNode {
  readonly host: string;
  readonly port: number;
}

interface Credentials {
  /** TLS to every node (the `rediss` schemes). */
  readonly tls: boolean;
  /** Extra CA certificates (PEM) to trust with TLS besides the public roots (EASGATE_REDIS_CA). */
  readonly ca?: Buffer;
  /** The data nodes' ACL user and password (AUTH), from the URL's user information. */
  readonly username?: string;
  readonly password?: string;
}

export type RedisAddress =
  /** `redis://…` or `rediss://…`: one server, exactly as ioredis reads the URL. */
  | (Credentials & { readonly mode: 'single'; readonly url: string })
  /** `redis+sentinel://h1:26379,h2:26379/<master name>`: the primary the Sentinels name. */
  | (Credentials & {
      readonly mode: 'sentinel';
      readonly sentinels: readonly RedisNode[];
      readonly masterName: string;
      /** The Sentinels' own password (EASGATE_REDIS_SENTINEL_PASSWORD), when they have one. */
      readonly sentinelPassword?: string;
    })
  /** `redis+cluster://h1:7000,h2:7001`: seed nodes of a Redis Cluster. */
  | (Credentials & { readonly mode: 'cluster'; readonly nodes: readonly RedisNode[] });

const DEFAULT_PORT = { sentinel: 26379, cluster: 6379 } as const;
const MULTI = /^(redis|rediss)\+(sentinel|cluster):\/\/(?:([^@/?#]*)@)?([^/?#]*)(\/[^?#]*)?([?#].*)?$/;
const HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?)$/;
const MASTER_NAME = /^[A-Za-z0-9._-]{1,128}$/;

/** The address, or the reason (without the value) why it is none. */
export function parseRedisAddress(raw: string): RedisAddress | string {
  const m = MULTI.exec(raw);
  if (m === null) return parseSingle(raw);
  const [, scheme, mode, userinfo, hostList, path, rest] = m as unknown as [string, string, 'sentinel' | 'cluster', string | undefined, string, string | undefined, string | undefined];
  if (rest !== undefined) return 'query strings and fragments are not read; use the settings named in docs/redis-ha.md';
  const credentials = parseUserinfo(userinfo, scheme === 'rediss');
  if (typeof credentials === 'string') return credentials;
  const nodes: RedisNode[] = [];
  for (const item of hostList.split(',')) {
    const node = parseNode(item.trim(), DEFAULT_PORT[mode]);
    if (node === undefined) return `every ${mode === 'sentinel' ? 'Sentinel' : 'node'} must be host or host:port, separated by commas`;
    nodes.push(node);
  }
  if (mode === 'cluster') {
    if (path !== undefined && path !== '/') return 'a Cluster has no database number or master name: nothing may follow the nodes';
    return { mode, nodes, ...credentials };
  }
  const masterName = path === undefined ? '' : decode(path.slice(1));
  if (masterName === undefined || !MASTER_NAME.test(masterName)) return 'the Sentinel form needs the master name as the path: redis+sentinel://host:26379,host:26380/mymaster';
  return { mode, sentinels: nodes, masterName, ...credentials };
}

function parseSingle(raw: string): RedisAddress | string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return 'not a URL';
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') return 'the scheme must be redis, rediss, redis+sentinel, rediss+sentinel, redis+cluster or rediss+cluster';
  if (u.hostname === '') return 'the URL names no host';
  return {
    mode: 'single',
    url: u.href,
    tls: u.protocol === 'rediss:',
    ...(u.username !== '' ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password !== '' ? { password: decodeURIComponent(u.password) } : {}),
  };
}

function parseUserinfo(userinfo: string | undefined, tls: boolean): Credentials | string {
  if (userinfo === undefined || userinfo === '') return { tls };
  const colon = userinfo.indexOf(':');
  const user = decode(colon < 0 ? userinfo : userinfo.slice(0, colon));
  const password = colon < 0 ? '' : decode(userinfo.slice(colon + 1));
  if (user === undefined || password === undefined) return 'the user or password is not correctly percent-encoded';
  return { tls, ...(user !== '' ? { username: user } : {}), ...(password !== '' ? { password } : {}) };
}

function parseNode(item: string, defaultPort: number): RedisNode | undefined {
  const m = /^(\[[^\]]*\]|[^:]*)(?::(\d{1,5}))?$/.exec(item);
  if (m === null || !HOST.test(m[1]!)) return undefined;
  const port = m[2] === undefined ? defaultPort : Number(m[2]);
  if (port < 1 || port > 65535) return undefined;
  const host = m[1]!.startsWith('[') ? m[1]!.slice(1, -1) : m[1]!;
  return { host, port };
}

function decode(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

/** What a log line may say about the address: the topology and hosts, never credentials. */
export function describeRedisAddress(a: RedisAddress): string {
  const scheme = a.tls ? 'rediss' : 'redis';
  const list = (nodes: readonly RedisNode[]): string => nodes.map((n) => (n.host.includes(':') ? `[${n.host}]:${n.port}` : `${n.host}:${n.port}`)).join(',');
  switch (a.mode) {
    case 'single': {
      const u = new URL(a.url);
      return `${scheme}://${u.host}${u.pathname === '/' ? '' : u.pathname}`;
    }
    case 'sentinel':
      return `${scheme}+sentinel://${list(a.sentinels)}/${a.masterName}`;
    case 'cluster':
      return `${scheme}+cluster://${list(a.nodes)}`;
  }
}

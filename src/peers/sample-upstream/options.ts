/**
 * Options of the sample upstream, one defaults object, resolved once at start.
 */
import { PROTOCOL_VERSIONS } from '../common/protocol.js';

export interface SampleUser {
  /** Logon name without domain (`alice`). */
  name: string;
  password: string;
  /** DNS domain; the user may log on as `name`, `DOMAIN\name` or `name@domain`. */
  domain?: string;
  displayName?: string;
}

export interface SampleUpstreamOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
  users?: SampleUser[];
  /** Domain of users that name none; default example.test. */
  domain?: string;
  realm?: string;
  /** MS-Server-ActiveSync header value. */
  serverVersion?: string;
  protocolVersions?: readonly string[];
  /**
   * Require a provisioned policy key on every command but Provision, answering 449 (< 14.0)
   * or Status 142/144 (>= 14.0) as Exchange does ([MS-ASPROV] 3.2.5.1.2; docs/protocol.md 3.4).
   */
  requireProvisioning?: boolean;
  /** Allowed Ping/Sync heartbeat range in seconds; default 60..3540 ([MS-ASCMD] 2.2.3.88). */
  minHeartbeatSeconds?: number;
  maxHeartbeatSeconds?: number;
  maxPingFolders?: number;
  /** Mails in each user's Inbox at start (and after reset). */
  seedMails?: number;
  /** Largest WBXML request body read (SendMail bodies are only counted). */
  bodyLimitBytes?: number;
  /** SendMail bodies up to this size are also decoded (to learn ClientId and recipients). */
  sendMailDecodeLimitBytes?: number;
  /**
   * Keep a record of every request in `control.requests` (default). A benchmark holding
   * many thousands of requests turns it off; counts of held requests still work.
   */
  recordRequests?: boolean;
  /** Called with one line per finished request (no credentials). */
  log?: (line: string) => void;
}

export type ResolvedOptions = Required<Omit<SampleUpstreamOptions, 'log'>> & Pick<SampleUpstreamOptions, 'log'>;

export const DEFAULT_USERS: readonly SampleUser[] = Object.freeze([
  { name: 'alice', password: 'alice123', displayName: 'Alice Example' },
  { name: 'bob', password: 'bob123', displayName: 'Bob Example' },
]);

export function resolveOptions(o: SampleUpstreamOptions): ResolvedOptions {
  const domain = o.domain ?? 'example.test';
  const r: ResolvedOptions = {
    host: o.host ?? '127.0.0.1',
    port: o.port ?? 0,
    users: (o.users ?? DEFAULT_USERS).map((u) => ({ ...u, domain: u.domain ?? domain })),
    domain,
    realm: o.realm ?? 'easgate sample upstream',
    serverVersion: o.serverVersion ?? '15.1',
    protocolVersions: o.protocolVersions ?? PROTOCOL_VERSIONS,
    requireProvisioning: o.requireProvisioning ?? false,
    minHeartbeatSeconds: o.minHeartbeatSeconds ?? 60,
    maxHeartbeatSeconds: o.maxHeartbeatSeconds ?? 3540,
    maxPingFolders: o.maxPingFolders ?? 300,
    seedMails: o.seedMails ?? 5,
    bodyLimitBytes: o.bodyLimitBytes ?? 1024 * 1024,
    sendMailDecodeLimitBytes: o.sendMailDecodeLimitBytes ?? 1024 * 1024,
    recordRequests: o.recordRequests ?? true,
    log: o.log,
  };
  if (r.minHeartbeatSeconds > r.maxHeartbeatSeconds) {
    throw new RangeError('minHeartbeatSeconds must not exceed maxHeartbeatSeconds');
  }
  return r;
}

import { compilePaths, extractPaths } from '../wbxml/index.js';
import { parseCount } from './device-info.js';

/**
 * Long-poll facts from Ping and Sync request bodies, for the proxy's timeouts. Both bodies
 * may be empty ([MS-ASHTTP] 2.2.1.1.3: the server reuses the cached parameters); an empty
 * body gives an empty result. Otherwise the readers throw only WbxmlError.
 */

export interface PingRequest {
  /** Seconds ([MS-ASCMD] 2.2.3.88.1); absent when the device relies on the cached value. */
  heartbeatInterval?: number;
}

export interface SyncRequest {
  /** Seconds, 14.0+ ([MS-ASCMD] 2.2.3.88.2). */
  heartbeatInterval?: number;
  /** Minutes ([MS-ASCMD] 2.2.3.198). */
  wait?: number;
}

const PING = compilePaths(['Ping:Ping/HeartbeatInterval']);
const SYNC = compilePaths(['AirSync:Sync/HeartbeatInterval', 'AirSync:Sync/Wait']);

export function readPingRequest(body: Uint8Array): PingRequest {
  if (body.length === 0) return {};
  const heartbeatInterval = parseCount(extractPaths(body, PING)[0]);
  return heartbeatInterval === undefined ? {} : { heartbeatInterval };
}

export function readSyncRequest(body: Uint8Array): SyncRequest {
  if (body.length === 0) return {};
  const [hbi, wait] = extractPaths(body, SYNC);
  const request: SyncRequest = {};
  const heartbeatInterval = parseCount(hbi);
  if (heartbeatInterval !== undefined) request.heartbeatInterval = heartbeatInterval;
  const minutes = parseCount(wait);
  if (minutes !== undefined) request.wait = minutes;
  return request;
}

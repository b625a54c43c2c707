import type { IncomingHttpHeaders } from 'node:http';
import { GatewayError } from '../errors.js';
import { readAuthorization, type AuthScheme } from './auth-header.js';
import type { CommandInfo } from './commands.js';
import { parseQuery, QueryError, type QueryEncoding } from './query.js';

/**
 * One typed view of an ActiveSync request, whichever query encoding arrived
 * ([MS-ASHTTP] 2.2.1.1.1). Built once per request; everything after it asks this object.
 */
export interface DeviceRequest {
  readonly method: string;
  readonly encoding: QueryEncoding;
  /** undefined for OPTIONS. */
  readonly command: CommandInfo | undefined;
  /** The User parameter of the query (plain) or tag 8 (base64); may be absent. */
  readonly queryUser: string | undefined;
  /** The user named by Authorization (not verified by the gateway). */
  readonly authUser: string | undefined;
  readonly authScheme: AuthScheme;
  /** As sent for plain queries; lowercase hex of the bytes for base64 (docs/protocol.md 1.3). */
  readonly deviceId: string | undefined;
  readonly deviceType: string | undefined;
  /** MS-ASProtocolVersion header, or the version byte of a base64 query. */
  readonly protocolVersion: string | undefined;
  /** X-MS-PolicyKey header, or the key inside a base64 query. */
  readonly policyKey: string | undefined;
  readonly userAgent: string | undefined;
  readonly locale: number | undefined;
  readonly params: Readonly<Record<string, string>>;
}

/** [MS-ASHTTP] 2.2.1.1.1.2.3: device-id = 1*32(ALPHA / DIGIT). */
const PLAIN_DEVICE_ID = /^[A-Za-z0-9]{1,32}$/;
/** A base64 device ID is up to 255 raw bytes, kept as hex. */
const HEX_DEVICE_ID = /^[0-9a-f]{2,510}$/;
/** device-type = 1*VCHAR; we allow spaces but no control characters, and cap the length. */
const DEVICE_TYPE = /^[\x20-\x7e\u00a0-\uffff]{1,64}$/;

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Reads the request's identity. Throws a GatewayError (HTTP 400) for what must not reach
 * the upstream: a POST without Cmd, DeviceId or DeviceType, an unknown command, an
 * undecodable base64 query or a DeviceId outside the spec's grammar. OPTIONS carries no
 * identity requirements ([MS-ASHTTP] 2.2.3).
 */
export function identifyRequest(method: string, search: string, headers: IncomingHttpHeaders): DeviceRequest {
  let q;
  try {
    q = parseQuery(search);
  } catch (err) {
    if (err instanceof QueryError) {
      throw new GatewayError(err.code === 'EASGATE_ERR_EAS_BAD_QUERY' ? 'EASGATE_ERR_EAS_BAD_QUERY' : 'EASGATE_ERR_EAS_BAD_BASE64_QUERY', err.message);
    }
    throw err;
  }
  const auth = readAuthorization(header(headers, 'authorization'));
  if (method === 'POST') {
    if (q.commandName === undefined || q.commandName === '') throw new GatewayError('EASGATE_ERR_EAS_MISSING_CMD');
    if (q.command === undefined) throw new GatewayError('EASGATE_ERR_EAS_UNKNOWN_CMD', `Cmd=${printable(q.commandName)} names no ActiveSync command`);
    if (q.deviceId === undefined || q.deviceId === '') throw new GatewayError('EASGATE_ERR_EAS_MISSING_DEVICE_ID');
    const idOk = q.encoding === 'plain' ? PLAIN_DEVICE_ID.test(q.deviceId) : HEX_DEVICE_ID.test(q.deviceId);
    if (!idOk) throw new GatewayError('EASGATE_ERR_EAS_BAD_DEVICE_ID', `DeviceId ${printable(q.deviceId)} is outside 1*32(ALPHA / DIGIT)`);
    if (q.deviceType === undefined || q.deviceType === '') throw new GatewayError('EASGATE_ERR_EAS_MISSING_DEVICE_TYPE');
    if (!DEVICE_TYPE.test(q.deviceType)) throw new GatewayError('EASGATE_ERR_EAS_BAD_DEVICE_TYPE');
  }
  return {
    method,
    encoding: q.encoding,
    command: method === 'POST' ? q.command : undefined,
    queryUser: q.user,
    authUser: auth.user,
    authScheme: auth.scheme,
    deviceId: q.deviceId,
    deviceType: q.deviceType,
    protocolVersion: q.protocolVersion ?? header(headers, 'ms-asprotocolversion'),
    policyKey: q.policyKey ?? header(headers, 'x-ms-policykey'),
    userAgent: header(headers, 'user-agent'),
    locale: q.locale,
    params: q.params,
  };
}

/** A value safe to put in a message: cut, and control characters shown as '?'. */
function printable(v: string): string {
  const cut = v.length > 40 ? `${v.slice(0, 40)}…` : v;
  return JSON.stringify(cut.replace(/[\x00-\x1f\x7f]/g, '?'));
}

/**
 * The two query encodings of an ActiveSync request ([MS-ASHTTP] 2.2.1.1.1):
 * plain text (`?Cmd=Sync&User=..&DeviceId=..&DeviceType=..`) and the base64 blob of
 * 2.2.1.1.1.1. Both parse into one RawQuery; the base64 form can also be written, for the
 * device simulator and the tests (one table of tags serves both directions).
 */
import { commandByCode, commandByName, type CommandInfo } from './commands.js';

/** Parameter tags of the base64 query, [MS-ASHTTP] 2.2.1.1.1.1.3. */
export const QUERY_TAGS = [
  'AttachmentName', // 0
  'CollectionId', // 1
  'CollectionName', // 2 (deprecated)
  'ItemId', // 3
  'LongId', // 4
  'ParentId', // 5 (deprecated)
  'Occurrence', // 6
  'Options', // 7: bit mask, 0x01 SaveInSent, 0x02 AcceptMultiPart
  'User', // 8
] as const;
export type QueryParamName = (typeof QUERY_TAGS)[number] | 'SaveInSent' | 'AcceptMultiPart';

const TAG_BY_NAME = new Map<string, number>(QUERY_TAGS.map((n, i) => [n, i]));

/** Protocol version byte ↔ version string ([MS-ASHTTP] 2.2.1.1.1.1: version × 10). */
const VERSION_BY_BYTE = new Map<number, string>([
  [121, '12.1'],
  [140, '14.0'],
  [141, '14.1'],
  [160, '16.0'],
  [161, '16.1'],
]);

export type QueryEncoding = 'plain' | 'base64';

export interface RawQuery {
  encoding: QueryEncoding;
  /** Command as named by the request; `command` is set when the registry knows it. */
  commandName: string | undefined;
  command: CommandInfo | undefined;
  user: string | undefined;
  deviceId: string | undefined;
  deviceType: string | undefined;
  /** Base64 only: the version byte as a version string. */
  protocolVersion: string | undefined;
  /** Base64 only: Windows LCID. */
  locale: number | undefined;
  /** Base64 only: the policy key carried in the query (uint32, decimal string). */
  policyKey: string | undefined;
  /** Command-specific parameters (CollectionId, ItemId, SaveInSent, …). */
  params: Record<string, string>;
}

export class QueryError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'QueryError';
    this.code = code;
  }
}

function emptyQuery(encoding: QueryEncoding): RawQuery {
  return {
    encoding,
    commandName: undefined,
    command: undefined,
    user: undefined,
    deviceId: undefined,
    deviceType: undefined,
    protocolVersion: undefined,
    locale: undefined,
    policyKey: undefined,
    params: {},
  };
}

/**
 * Parses the query string (without '?'). A string that is entirely base64 (after
 * percent-decoding; '=' only as trailing padding) is the base64 form; anything else is
 * plain text, whose keys are matched case-insensitively and in any order, as
 * Z-Push/grommunio do with $_GET.
 */
export function parseQuery(search: string): RawQuery {
  if (search.length === 0) return emptyQuery('plain');
  if (!search.includes('&')) {
    const text = percentDecoded(search);
    if (text !== undefined && BASE64.test(text)) return parseBase64(text);
    if (!search.includes('=')) {
      throw new QueryError('EASGATE_ERR_EAS_BAD_BASE64_QUERY', 'the query is neither plain key=value pairs nor base64');
    }
  }
  return parsePlain(search);
}

function percentDecoded(search: string): string | undefined {
  try {
    // Devices send the blob URL-encoded or not; '+' may have become ' ' on the way.
    return decodeURIComponent(search).replace(/ /g, '+');
  } catch {
    return undefined;
  }
}

function parsePlain(search: string): RawQuery {
  const q = emptyQuery('plain');
  let params: URLSearchParams;
  try {
    params = new URLSearchParams(search);
  } catch {
    throw new QueryError('EASGATE_ERR_EAS_BAD_QUERY', 'the query string cannot be parsed');
  }
  for (const [key, value] of params) {
    switch (key.toLowerCase()) {
      case 'cmd':
        q.commandName = value;
        q.command = commandByName(value);
        break;
      case 'user':
        q.user = value;
        break;
      case 'deviceid':
        q.deviceId = value;
        break;
      case 'devicetype':
        q.deviceType = value;
        break;
      default:
        q.params[key] = value;
    }
  }
  return q;
}

const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

function parseBase64(text: string): RawQuery {
  const b = Buffer.from(text, text.includes('-') || text.includes('_') ? 'base64url' : 'base64');
  const q = emptyQuery('base64');
  let at = 0;
  const need = (n: number, what: string): void => {
    if (at + n > b.length) {
      throw new QueryError('EASGATE_ERR_EAS_BAD_BASE64_QUERY', `the base64 query ends inside ${what}`);
    }
  };
  need(4, 'the fixed header');
  const versionByte = b[at++]!;
  q.protocolVersion = VERSION_BY_BYTE.get(versionByte);
  if (q.protocolVersion === undefined) {
    throw new QueryError('EASGATE_ERR_EAS_BAD_BASE64_QUERY', `the base64 query names protocol version byte ${versionByte}, not 121, 140, 141, 160 or 161`);
  }
  const code = b[at++]!;
  q.command = commandByCode(code);
  if (q.command === undefined) {
    throw new QueryError('EASGATE_ERR_EAS_BAD_BASE64_QUERY', `the base64 query names unknown command code ${code}`);
  }
  q.commandName = q.command.name;
  q.locale = b.readUInt16LE(at);
  at += 2;
  need(1, 'the device ID length');
  const idLen = b[at++]!;
  if (idLen === 0) throw new QueryError('EASGATE_ERR_EAS_BAD_BASE64_QUERY', 'the base64 query has an empty device ID');
  need(idLen, 'the device ID');
  // Z-Push, grommunio and Horde turn the device-ID bytes into lowercase hex (docs/protocol.md
  // 1.3); doing the same keeps the gateway's ID equal to the upstream's.
  q.deviceId = b.subarray(at, at + idLen).toString('hex');
  at += idLen;
  need(1, 'the policy key length');
  const keyLen = b[at++]!;
  if (keyLen !== 0 && keyLen !== 4) {
    throw new QueryError('EASGATE_ERR_EAS_BAD_BASE64_QUERY', `the base64 query has a policy key of ${keyLen} bytes, not 0 or 4`);
  }
  if (keyLen === 4) {
    need(4, 'the policy key');
    q.policyKey = String(b.readUInt32LE(at));
    at += 4;
  }
  need(1, 'the device type length');
  const typeLen = b[at++]!;
  need(typeLen, 'the device type');
  q.deviceType = b.subarray(at, at + typeLen).toString('utf8');
  at += typeLen;
  while (at < b.length) {
    need(2, 'a parameter header');
    const tag = b[at++]!;
    const len = b[at++]!;
    need(len, 'a parameter value');
    const value = b.subarray(at, at + len);
    at += len;
    const name = QUERY_TAGS[tag];
    if (name === undefined) {
      throw new QueryError('EASGATE_ERR_EAS_BAD_BASE64_QUERY', `the base64 query has unknown parameter tag ${tag}`);
    }
    if (name === 'Options') {
      const bits = value[0] ?? 0;
      if (bits & 0x01) q.params.SaveInSent = 'T';
      if (bits & 0x02) q.params.AcceptMultiPart = 'T';
    } else if (name === 'User') {
      q.user = value.toString('utf8');
    } else {
      q.params[name] = value.toString('utf8');
    }
  }
  return q;
}

export interface Base64QueryInput {
  protocolVersion: string;
  command: string;
  locale?: number;
  /** Raw device-ID bytes; a string is taken as its UTF-8 bytes. */
  deviceId: string | Uint8Array;
  policyKey?: number | string;
  deviceType: string;
  user?: string;
  params?: Partial<Record<Exclude<QueryParamName, 'User' | 'Options'>, string>>;
}

/** Writes the base64 query of [MS-ASHTTP] 2.2.1.1.1.1 (used by the simulator and tests). */
export function encodeBase64Query(input: Base64QueryInput): string {
  const versionByte = [...VERSION_BY_BYTE].find(([, v]) => v === input.protocolVersion)?.[0];
  if (versionByte === undefined) throw new RangeError(`base64 queries need protocol 12.1 or later, not ${input.protocolVersion}`);
  const cmd = commandByName(input.command);
  if (cmd === undefined) throw new RangeError(`unknown command ${input.command}`);
  const parts: Buffer[] = [];
  const head = Buffer.alloc(4);
  head[0] = versionByte;
  head[1] = cmd.code;
  head.writeUInt16LE(input.locale ?? 0x0409, 2);
  parts.push(head);
  const id = typeof input.deviceId === 'string' ? Buffer.from(input.deviceId, 'utf8') : Buffer.from(input.deviceId);
  parts.push(Buffer.from([id.length]), id);
  if (input.policyKey === undefined || Number(input.policyKey) === 0) {
    parts.push(Buffer.from([0]));
  } else {
    const key = Buffer.alloc(5);
    key[0] = 4;
    key.writeUInt32LE(Number(input.policyKey) >>> 0, 1);
    parts.push(key);
  }
  const type = Buffer.from(input.deviceType, 'utf8');
  parts.push(Buffer.from([type.length]), type);
  let options = 0;
  for (const [name, value] of Object.entries(input.params ?? {})) {
    if (value === undefined) continue;
    if (name === 'SaveInSent') options |= value === 'T' ? 0x01 : 0;
    else if (name === 'AcceptMultiPart') options |= value === 'T' ? 0x02 : 0;
    else parts.push(tagged(name, value));
  }
  if (options !== 0) parts.push(Buffer.from([TAG_BY_NAME.get('Options')!, 1, options]));
  if (input.user !== undefined) parts.push(tagged('User', input.user));
  return Buffer.concat(parts).toString('base64');
}

function tagged(name: string, value: string): Buffer {
  const tag = TAG_BY_NAME.get(name);
  if (tag === undefined) throw new RangeError(`no base64 tag for parameter ${name}`);
  const v = Buffer.from(value, 'utf8');
  if (v.length > 255) throw new RangeError(`parameter ${name} is longer than 255 bytes`);
  return Buffer.concat([Buffer.from([tag, v.length]), v]);
}

/**
 * The HTTP side of the simulator: builds the request line and headers a phone sends
 * (plain or base64 query, [MS-ASHTTP] 2.2.1.1), sends it with undici and reads the answer.
 */
import { Readable } from 'node:stream';
import { Agent, request, type Dispatcher } from 'undici';
import { encodeBase64Query } from '../../eas/query.js';
import { decode } from '../../wbxml/index.js';
import { WBXML_CONTENT_TYPE, type ProtocolVersion } from '../common/protocol.js';
import { childText } from '../common/tree.js';
import type { EasResponse } from './types.js';

export type RequestBody = Uint8Array | Readable | AsyncIterable<Uint8Array>;

export interface SendInput {
  command: string;
  body?: RequestBody;
  contentType?: string;
  /** Command parameters of the query (SaveInSent, CollectionId, …). */
  params?: Record<string, string>;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Headers and body timeout; long polls pass their heartbeat plus a margin. */
  timeoutMs?: number;
}

export interface TransportIdentity {
  user: string;
  password: string;
  deviceId: string;
  deviceType: string;
  protocolVersion: ProtocolVersion;
  queryEncoding: 'plain' | 'base64';
  userAgent: string;
  locale: number;
}

const DEFAULT_TIMEOUT_MS = 60_000;

export class Transport {
  /** Where requests go; a 451 answer moves it ([MS-ASHTTP] 3.1.5.2.2). */
  url: string;
  /** Sent as X-MS-PolicyKey, or inside the base64 query. */
  policyKey: string | undefined;
  private readonly dispatcher: Dispatcher;
  private readonly ownAgent: Agent | undefined;
  private readonly authorization: string;

  constructor(
    url: string,
    private readonly id: TransportIdentity,
    dispatcher: Dispatcher | undefined,
  ) {
    this.url = url;
    this.ownAgent = dispatcher === undefined ? new Agent({ keepAliveTimeout: 4_000, connect: { timeout: 10_000 } }) : undefined;
    this.dispatcher = dispatcher ?? this.ownAgent!;
    this.authorization = `Basic ${Buffer.from(`${id.user}:${id.password}`, 'utf8').toString('base64')}`;
  }

  /** The request URL for a command, in the simulator's query encoding. */
  urlFor(command: string, params: Record<string, string> = {}): string {
    const id = this.id;
    if (id.queryEncoding === 'base64') {
      // Sent as devices do, unescaped: '+', '/' and '=' are legal in a query (RFC 3986 §3.4).
      const blob = encodeBase64Query({
        protocolVersion: id.protocolVersion,
        command,
        locale: id.locale,
        deviceId: id.deviceId,
        policyKey: this.policyKey,
        deviceType: id.deviceType,
        user: id.user,
        params,
      });
      return `${this.url}?${blob}`;
    }
    const q = new URLSearchParams({ Cmd: command, User: id.user, DeviceId: id.deviceId, DeviceType: id.deviceType, ...params });
    return `${this.url}?${q.toString().replace(/\+/g, '%20')}`;
  }

  private baseHeaders(): Record<string, string> {
    return {
      authorization: this.authorization,
      'user-agent': this.id.userAgent,
      'accept-language': 'en-us',
      accept: '*/*',
    };
  }

  async options(signal?: AbortSignal): Promise<EasResponse> {
    const url = this.url;
    const res = await request(url, { method: 'OPTIONS', headers: this.baseHeaders(), dispatcher: this.dispatcher, signal, headersTimeout: DEFAULT_TIMEOUT_MS, bodyTimeout: DEFAULT_TIMEOUT_MS });
    const body = Buffer.from(await res.body.arrayBuffer());
    return { command: 'OPTIONS', status: res.statusCode, headers: res.headers, body, doc: undefined, easStatus: undefined, url };
  }

  async send(input: SendInput): Promise<EasResponse> {
    const headers: Record<string, string> = { ...this.baseHeaders() };
    if (this.id.queryEncoding === 'plain') {
      headers['ms-asprotocolversion'] = this.id.protocolVersion;
      // Before provisioning the key is "0" ([MS-ASPROV] 4.1.1).
      headers['x-ms-policykey'] = this.policyKey ?? '0';
    }
    if (input.body !== undefined) headers['content-type'] = input.contentType ?? WBXML_CONTENT_TYPE;
    Object.assign(headers, input.headers);
    const url = this.urlFor(input.command, input.params);
    const timeout = input.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const res = await request(url, {
      method: 'POST',
      headers,
      body: input.body === undefined || input.body instanceof Uint8Array || input.body instanceof Readable ? input.body : Readable.from(input.body),
      dispatcher: this.dispatcher,
      signal: input.signal,
      headersTimeout: timeout,
      bodyTimeout: timeout,
    });
    const body = Buffer.from(await res.body.arrayBuffer());
    const type = String(res.headers['content-type'] ?? '');
    let doc;
    if (body.length > 0 && type.includes('vnd.ms-sync')) {
      try {
        doc = decode(body);
      } catch {
        doc = undefined;
      }
    }
    const status = Number(childText(doc, 'Status'));
    return {
      command: input.command,
      status: res.statusCode,
      headers: res.headers,
      body,
      doc,
      easStatus: Number.isInteger(status) && status > 0 ? status : undefined,
      url,
    };
  }

  async close(): Promise<void> {
    await this.ownAgent?.close();
  }
}

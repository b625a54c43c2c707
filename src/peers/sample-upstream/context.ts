/**
 * The per-request context handed to command handlers, and the ways to answer.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CommandInfo } from '../../eas/commands.js';
import type { RawQuery } from '../../eas/query.js';
import { decode, encode } from '../../wbxml/index.js';
import { childText, page, type WbxmlElement } from '../common/tree.js';
import { WBXML_CONTENT_TYPE } from '../common/protocol.js';
import type { RequestRecord, SampleControl } from './control.js';
import type { DeviceRegistry, DeviceState } from './devices.js';
import type { Mailbox, MailStore } from './mailbox.js';
import type { ResolvedOptions, SampleUser } from './options.js';

export interface EasContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly options: ResolvedOptions;
  readonly control: SampleControl;
  readonly record: RequestRecord;
  readonly user: SampleUser;
  readonly mailbox: Mailbox;
  readonly store: MailStore;
  readonly device: DeviceState;
  readonly devices: DeviceRegistry;
  readonly query: RawQuery;
  readonly version: string;
  readonly command: CommandInfo;
  /** Aborted when the client goes away before the answer is complete. */
  readonly signal: AbortSignal;
}

export type CommandHandler = (ctx: EasContext) => Promise<void>;

/** An HTTP answer decided deep inside a handler (bad body, too large). */
export class HttpAnswer extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function readBody(req: IncomingMessage, limit: number, record: RequestRecord): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    record.bodyBytes += chunk.length;
    if (record.bodyBytes > limit) throw new HttpAnswer(413, `request body over ${limit} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Reads and decodes the WBXML body; undefined when it is empty. */
export async function readDoc(ctx: EasContext): Promise<WbxmlElement | undefined> {
  const body = await readBody(ctx.req, ctx.options.bodyLimitBytes, ctx.record);
  if (body.length === 0) return undefined;
  try {
    return decode(body);
  } catch (err) {
    throw new HttpAnswer(400, `undecodable WBXML: ${(err as Error).message}`);
  }
}

export function baseHeaders(options: ResolvedOptions): Record<string, string> {
  return { 'MS-Server-ActiveSync': options.serverVersion, 'Cache-Control': 'private' };
}

/** The capability headers of OPTIONS and 449 ([MS-ASHTTP] 2.2.4; Horde sends them with 449). */
export function capabilityHeaders(options: ResolvedOptions, commands: readonly string[]): Record<string, string> {
  return {
    ...baseHeaders(options),
    'MS-ASProtocolVersions': options.protocolVersions.join(','),
    'MS-ASProtocolCommands': commands.join(','),
  };
}

export function sendEmpty(ctx: Pick<EasContext, 'res' | 'options' | 'record'>, status: number, headers: Record<string, string> = {}): void {
  if (ctx.res.headersSent || ctx.res.destroyed) return;
  ctx.record.status = status;
  ctx.res.writeHead(status, { ...baseHeaders(ctx.options), ...headers, 'Content-Length': '0' });
  ctx.res.end();
}

export function sendWbxml(ctx: Pick<EasContext, 'res' | 'options' | 'record'>, doc: WbxmlElement, headers: Record<string, string> = {}): void {
  if (ctx.res.headersSent || ctx.res.destroyed) return;
  const body = encode(doc);
  const status = Number(childText(doc, 'Status'));
  ctx.record.status = 200;
  ctx.record.easStatus = Number.isInteger(status) && status > 0 ? status : undefined;
  ctx.res.writeHead(200, {
    ...baseHeaders(ctx.options),
    ...headers,
    'Content-Type': WBXML_CONTENT_TYPE,
    'Content-Length': String(body.length),
  });
  ctx.res.end(body);
}

/** `<Command><Status>n</Status></Command>` in the command's own code page ([MS-ASCMD] 2.2.2). */
export function statusDoc(command: CommandInfo, status: number): WbxmlElement {
  const x = page(command.rootPage ?? 'AirSync');
  return x(command.name, x('Status', String(status)));
}

/**
 * The sample EAS upstream: a real node:http server speaking enough ActiveSync for the
 * proxy tests, the demo and the benchmarks.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseQuery, QueryError, type RawQuery } from '../../eas/query.js';
import { addressOf, authenticate, parseBasic, splitLogin } from './auth.js';
import { BEHAVIOUR_HEADER, BehaviourError, parseBehaviour, type Behaviour } from './behaviour.js';
import { SampleControl, type RequestRecord } from './control.js';
import { DeviceRegistry } from './devices.js';
import { MailStore } from './mailbox.js';
import { resolveOptions, type ResolvedOptions, type SampleUpstreamOptions } from './options.js';
import { baseHeaders, capabilityHeaders, HttpAnswer, sendEmpty, sendWbxml, statusDoc, type EasContext } from './context.js';
import { dispatch, HANDLED_COMMANDS } from './dispatch.js';

export const EAS_PATH = '/Microsoft-Server-ActiveSync';

export interface SampleUpstream {
  /** The full EAS endpoint URL, e.g. http://127.0.0.1:40123/Microsoft-Server-ActiveSync. */
  readonly url: string;
  readonly port: number;
  readonly control: SampleControl;
  /** Stops listening and drops every open connection (held Pings included). */
  close(): Promise<void>;
}

export async function startSampleUpstream(opts: SampleUpstreamOptions = {}): Promise<SampleUpstream> {
  const options = resolveOptions(opts);
  const store = new MailStore(options.seedMails);
  const devices = new DeviceRegistry();
  const control = new SampleControl(options, store, devices);
  const server = createServer((req, res) => {
    handle(req, res, options, control, store, devices).catch((err: unknown) => fail(res, err));
  });
  // Long polls are the point of this server: no Node timeouts cut them short.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}${EAS_PATH}`,
    port,
    control,
    close: () =>
      new Promise<void>((resolve) => {
        devices.reset();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function fail(res: ServerResponse, err: unknown): void {
  if (res.headersSent) {
    res.destroy(err instanceof Error ? err : undefined);
    return;
  }
  const status = err instanceof HttpAnswer ? err.status : 500;
  res.req.resume();
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(`${(err as Error).message ?? 'error'}\n`);
}

function pathMatches(path: string): boolean {
  // Any prefix, so that 451 redirects to another "site" of the same server work.
  return path.toLowerCase().endsWith(EAS_PATH.toLowerCase());
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  options: ResolvedOptions,
  control: SampleControl,
  store: MailStore,
  devices: DeviceRegistry,
): Promise<void> {
  const rawUrl = req.url ?? '/';
  const q = rawUrl.indexOf('?');
  const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
  const search = q < 0 ? '' : rawUrl.slice(q + 1);
  const record = control.begin({
    method: req.method ?? 'GET', path, query: search, command: undefined, user: undefined, deviceId: undefined,
    deviceType: undefined, protocolVersion: undefined, policyKey: undefined, queryEncoding: undefined,
    headers: req.headers, bodyBytes: 0, status: undefined, easStatus: undefined, behaviour: undefined,
    startedAt: Date.now(), endedAt: undefined, aborted: false,
  });
  const abort = new AbortController();
  res.on('close', () => {
    record.endedAt = Date.now();
    if (record.status === undefined && res.headersSent) record.status = res.statusCode;
    if (!res.writableFinished) {
      record.aborted = true;
      abort.abort();
    }
    options.log?.(logLine(record));
  });
  let query: RawQuery | undefined;
  let queryError: Error | undefined;
  try {
    query = req.method === 'OPTIONS' && search === '' ? undefined : parseQuery(search);
  } catch (err) {
    queryError = err as Error;
  }
  Object.assign(record, identify(query, req));
  const claimed = parseBasic(req.headers.authorization)?.login;
  if (claimed !== undefined) record.user = splitLogin(claimed).name;
  control.announce(record);

  let behaviour: Behaviour | undefined;
  try {
    const header = req.headers[BEHAVIOUR_HEADER];
    behaviour = typeof header === 'string' ? parseBehaviour(header) : control.takeBehaviour(record.command, record.user);
  } catch (err) {
    if (err instanceof BehaviourError) throw new HttpAnswer(400, err.message);
    throw err;
  }
  record.behaviour = behaviour?.spec;
  if (behaviour !== undefined && behaviour.delayMs > 0) {
    await sleep(behaviour.delayMs, undefined, { signal: abort.signal }).catch(() => undefined);
    if (abort.signal.aborted) return;
  }
  if (behaviour?.action?.kind === 'destroy') {
    req.socket.destroy();
    return;
  }
  if (behaviour?.action?.kind === 'hold') {
    control.hold(1);
    req.resume();
    res.once('close', () => control.hold(-1));
    return;
  }
  const answer = { res, options, record };
  const user = authenticate(req.headers.authorization, options.users);
  if (user === undefined) {
    req.resume();
    sendEmpty(answer, 401, { 'WWW-Authenticate': `Basic realm="${options.realm}"` });
    return;
  }
  record.user = user.name;
  if (behaviour?.action?.kind === 'status') {
    req.resume();
    sendEmpty(answer, behaviour.action.status, switchHeaders(behaviour.action.status, behaviour.action.value, req, path, options));
    return;
  }
  if (behaviour?.action?.kind === 'eas') {
    if (query?.command === undefined) throw new HttpAnswer(400, 'eas= needs a request with a known Cmd');
    req.resume();
    sendWbxml(answer, statusDoc(query.command, behaviour.action.status));
    return;
  }
  if (!pathMatches(path)) throw new HttpAnswer(404, `no EAS endpoint at ${path}`);
  if (req.method === 'OPTIONS') {
    req.resume();
    // [MS-ASHTTP] 2.2.3, 2.2.4: OPTIONS answers with the versions and commands supported.
    sendEmpty(answer, 200, { ...capabilityHeaders(options, HANDLED_COMMANDS), Allow: 'OPTIONS,POST', Public: 'OPTIONS,POST' });
    return;
  }
  if (req.method !== 'POST') throw new HttpAnswer(405, 'only OPTIONS and POST');
  if (queryError !== undefined || query === undefined) {
    throw new HttpAnswer(400, queryError instanceof QueryError ? queryError.message : 'no query');
  }
  if (query.command === undefined || query.deviceId === undefined || query.deviceType === undefined) {
    throw new HttpAnswer(400, 'Cmd, DeviceId and DeviceType are required');
  }
  const version = record.protocolVersion;
  if (version === undefined || !options.protocolVersions.includes(version)) {
    throw new HttpAnswer(400, `unsupported protocol version ${version ?? '(none)'}`);
  }
  const ctx: EasContext = {
    req, res, options, control, record, user, query, version, store, devices,
    mailbox: store.mailbox(user.name, addressOf(user)),
    device: devices.obtain(user.name, query.deviceId, query.deviceType),
    command: query.command,
    signal: abort.signal,
  };
  await dispatch(ctx);
}

function identify(query: RawQuery | undefined, req: IncomingMessage): Partial<RequestRecord> {
  if (query === undefined) return {};
  const header = (name: string): string | undefined => {
    const v = req.headers[name];
    return typeof v === 'string' ? v : undefined;
  };
  return {
    command: query.command?.name ?? query.commandName,
    user: query.user,
    deviceId: query.deviceId,
    deviceType: query.deviceType,
    queryEncoding: query.encoding,
    protocolVersion: query.protocolVersion ?? header('ms-asprotocolversion'),
    policyKey: query.policyKey ?? header('x-ms-policykey'),
  };
}

function switchHeaders(status: number, value: string | undefined, req: IncomingMessage, path: string, options: ResolvedOptions): Record<string, string> {
  if (status === 451) {
    // [MS-ASHTTP] 2.2.2.1.2: the new URL for all later requests. By default another
    // "site" of this same server, so that a client that follows it gets answered.
    const host = req.headers.host ?? `${options.host}`;
    const site = path.toLowerCase().startsWith('/site2/') ? '' : '/site2';
    return { 'X-MS-Location': value ?? `http://${host}${site}${EAS_PATH}` };
  }
  if (status === 503) return { 'Retry-After': value ?? '5' };
  if (status === 449) return capabilityHeaders(options, HANDLED_COMMANDS);
  return baseHeaders(options);
}

function logLine(r: RequestRecord): string {
  const who = [r.user ?? '-', r.deviceId ?? '-', r.deviceType ?? '-'].join('/');
  const eas = r.easStatus === undefined ? '' : ` Status ${r.easStatus}`;
  const ms = (r.endedAt ?? Date.now()) - r.startedAt;
  const end = r.aborted ? 'aborted' : String(r.status ?? '-');
  return `${r.method} ${r.command ?? r.path} ${who} v${r.protocolVersion ?? '-'} → ${end}${eas} ${r.bodyBytes} B ${ms} ms`;
}

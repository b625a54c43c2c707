import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import { deviceIdText } from '../policy/index.js';
import { identifyRequest, type DeviceRequest } from '../eas/device-request.js';
import { inspectBody, inspectedLogFields, type InspectedBody } from '../eas/inspect-body.js';
import { refusal } from '../eas/refusal.js';
import type { AccessControl, Verdict } from './access.js';
import { wipeAnswer, wipeOrdered } from './wipe.js';
import { ownedPolicyAnswer, ownedPolicyOutcome } from './gateway-policy.js';
import { ProvisionLoopGuard } from './provision-loop.js';
import type { RequestMetrics } from '../metrics/index.js';
import { quarantineNotice, quarantineReply, releaseReply } from './quarantine.js';
import { WbxmlError } from '../wbxml/index.js';
import { GatewayError } from '../errors.js';
import { sendError, sendLocal, sendWbxml } from './answers.js';
import { PING_STATUS_1 } from './ping-answer.js';
import { forward } from './forward.js';
import { upstreamRequestHeaders } from './headers.js';
import type { LongPolls } from './long-polls.js';
import { readSmallBody } from './read-body.js';
import type { Upstream } from './upstream.js';

/**
 * Extension points of the device path, with named no-op defaults. Later stages (policy,
 * recording, wipe) plug in here instead of growing this file.
 */
export interface ProxyHooks {
  /** Sees what a Provision or Settings body said (device details, policy phase, wipe ack) before it is forwarded. */
  inspectBody(request: DeviceRequest, inspected: InspectedBody, facts: RequestFacts): void;
  /** Told once per forwarded request when the upstream answered. */
  upstreamAnswered(request: DeviceRequest, status: number, facts: RequestFacts): void;
}

/** What the pipeline learnt about one request; it ends up in the request log line. */
export type RequestFacts = Record<string, unknown>;

export const NO_HOOKS: ProxyHooks = Object.freeze({
  inspectBody: function noInspect() {},
  upstreamAnswered: function noUpstreamAnswered() {},
});

export interface ProxyState {
  draining: boolean;
  /** When the upstream last answered (any HTTP status; a failure is no answer): readiness, proxy/health.ts. */
  upstreamSeenAt: number | undefined;
}

export interface DeviceEndpointContext {
  config: Config;
  /** The policy stage; without it every request is forwarded. */
  access?: AccessControl | undefined;
  /** The upstream's WWW-Authenticate challenge, for a 401 the gateway gives itself. */
  probeChallenge?: () => string;
  /** Prometheus counters; undefined: none. */
  metrics?: RequestMetrics | undefined;
  /** The gateway's user naming, for the request log's `user` (as the admin API names users). */
  normalizeUser?: ((raw: string) => string) | undefined;
  upstream: Upstream;
  log: Logger;
  hooks: ProxyHooks;
  longPolls: LongPolls;
  state: ProxyState;
}

/** Builds the handler of the ActiveSync endpoint, called with Node's raw request and response. */
export function createDeviceHandler(ctx: DeviceEndpointContext): (req: IncomingMessage, res: ServerResponse) => void {
  const { config, upstream, log, longPolls, state } = ctx;
  const proto = config.tls === undefined ? 'http' : 'https';
  const logRequests = (): boolean => log.isLevelEnabled('info');
  const provisionLoops = new ProvisionLoopGuard(config.provisionLoopLimit, config.provisionLoopWindowMs);

  return function handleDeviceRequest(req, res) {
    const started = performance.now();
    const url = req.url ?? '/';
    const qAt = url.indexOf('?');
    const search = qAt < 0 ? '' : url.slice(qAt + 1);
    const method = req.method ?? 'GET';
    const facts: RequestFacts = {};
    let request: DeviceRequest | undefined;

    const metrics = ctx.metrics;
    const logging = logRequests();
    if (logging || metrics !== undefined) {
      res.once('close', () => {
        if (logging) logLine(log, request, facts, res, performance.now() - started, ctx.normalizeUser);
        metrics?.request(request?.command?.name ?? method, res.statusCode, typeof facts.state === 'string' ? facts.state : '');
      });
    }
    if (state.draining) res.setHeader('connection', 'close');
    if (method !== 'POST' && method !== 'OPTIONS') {
      refuse(new GatewayError('EASGATE_ERR_HTTP_METHOD', `method ${method} is not an ActiveSync method`));
      return;
    }
    try {
      request = identifyRequest(method, search, req.headers);
    } catch (err) {
      if (!(err instanceof GatewayError)) throw err;
      refuse(err);
      return;
    }
    const dr = request;
    if (state.draining && dr.command?.name === 'Ping') {
      // A Ping that arrives while this replica stops: end it at once, the device re-pings elsewhere.
      facts.drained = true;
      sendWbxml(res, 200, PING_STATUS_1, { connection: 'close' });
      req.resume();
      return;
    }
    if (dr.command?.inspectBody === true) {
      readSmallBody(req, config.inspectBodyLimit).then(
        (body) => {
          let inspected: InspectedBody | undefined;
          try {
            inspected = inspectBody(dr.command!, body);
          } catch (err) {
            if (!(err instanceof WbxmlError)) throw err;
            refuse(new GatewayError('EASGATE_ERR_EAS_BAD_BODY', `the ${dr.command!.name} body is not valid WBXML: ${err.code} at byte ${err.offset}`));
            return;
          }
          if (inspected !== undefined) {
            if (logRequests()) Object.assign(facts, inspectedLogFields(inspected));
            ctx.hooks.inspectBody(dr, inspected, facts);
          }
          decide(dr, body, inspected);
        },
        (err: unknown) => {
          if (err instanceof GatewayError) refuse(err, { connection: 'close' });
          else res.destroy();
        },
      );
      return;
    }
    decide(dr, method === 'OPTIONS' && !hasBody(req.headers) ? null : req, undefined);

    /** The policy stage: forward what is allowed, answer the rest here. */
    function decide(r: DeviceRequest, body: Buffer | IncomingMessage | null, inspected: InspectedBody | undefined): void {
      const access = ctx.access;
      if (access === undefined || method !== 'POST') return send(r, body, undefined);
      let v: Verdict | Promise<Verdict> | undefined;
      try {
        v = access.decide(r, inspected?.deviceInformation);
      } catch (err) {
        if (!(err instanceof GatewayError)) throw err;
        return refuse(err);
      }
      if (v === undefined) return send(r, body, undefined);
      if (v instanceof Promise) {
        v.then(
          (verdict) => act(r, body, verdict, inspected),
          (err: unknown) => {
            if (err instanceof GatewayError) refuse(err);
            else res.destroy();
          },
        );
      } else {
        act(r, body, v, inspected);
      }
    }

    function act(r: DeviceRequest, body: Buffer | IncomingMessage | null, v: Verdict, inspected: InspectedBody | undefined): void {
      const d = v.decision;
      if (logRequests() || ctx.metrics !== undefined) {
        facts.state = d.state;
        facts.accessReason = d.reason;
        if (d.ruleId !== undefined) facts.rule = d.ruleId;
      }
      const wiping = wipeOrdered(v.association);
      const releasing = d.access === 'Allow' && !wiping && v.association?.quarantineMailboxAt !== undefined;
      const allowed = d.access === 'Allow' && !wiping && !releasing;
      // A policy the gateway owns: Provision is answered here, other commands need its key.
      const owned = allowed ? ctx.access!.policyFor(v) : undefined;
      const keyCheck = owned === undefined ? undefined : ownedPolicyOutcome(r, v.association, owned, inspected, v.at);
      if (allowed && keyCheck === undefined) return send(r, body, v);
      if (releasing && releaseReply(r) === undefined) return send(r, body, v);
      const access = ctx.access!;
      // The quarantine mailbox reads the (small) body; every other local answer discards it.
      const serveQuarantine = d.access === 'Quarantine' && !wiping;
      const bytes = serveQuarantine ? bodyBytes(body, config.inspectBodyLimit) : Promise.resolve(undefined);
      if (!serveQuarantine && !req.complete) req.resume();
      Promise.all([access.confirmCredentials(r, req.headers.authorization), bytes]).then(([credentials, read]) => {
        facts.credentials = credentials;
        if (credentials === 'refused') {
          // The upstream would have said 401: say it the same way, with its own challenge.
          sendLocal(res, 401, { 'www-authenticate': ctx.probeChallenge?.() ?? 'Basic realm="ActiveSync"' });
          return;
        }
        const accepted = credentials === 'accepted';
        if (wiping) {
          const w = wipeAnswer(r, v.association!, inspected?.command === 'Provision' ? inspected.provision : undefined, Date.now());
          facts.wipe = w.step;
          sendWbxml(res, w.httpStatus, w.body);
          if (accepted) {
            if (w.patch !== undefined) access.patchAssociation(v, w.patch);
            access.record(r, v, false);
          }
          return;
        }
        if (releasing) {
          const reply = releaseReply(r)!;
          facts.release = r.command?.name;
          sendWbxml(res, reply.httpStatus, reply.body, reply.headers);
          // Once FolderSync starts over, the device is on the real mailbox.
          if (accepted && r.command?.name === 'FolderSync') access.patchAssociation(v, { quarantineMailboxAt: null });
          if (accepted) access.record(r, v, true);
          return;
        }
        if (keyCheck !== undefined) {
          const p = ownedPolicyAnswer(r, v.deviceId, v.user, owned!, keyCheck, inspected, provisionLoops, v.at);
          facts.policy = owned!.choice.compiled.policy.name;
          facts.provision = p.step;
          sendWbxml(res, p.httpStatus, p.body, p.headers);
          if (p.httpStatus === 503) log.warn({ user: v.user, deviceId: v.deviceId, step: p.step }, 'a device provisions in a loop; told to come back later');
          if (accepted) {
            if (p.patch !== undefined) access.patchAssociation(v, p.patch);
            access.record(r, v, p.httpStatus === 200 && keyCheck.kind !== 'provision-required');
          }
          return;
        }
        if (d.access === 'Quarantine') {
          const org = ctx.access!.organization();
          const a = v.association ?? { user: v.user, deviceId: v.deviceId, deviceType: r.deviceType, model: v.info?.model, accessStateAt: v.at };
          const reply = quarantineReply(r, read ?? Buffer.alloc(0), quarantineNotice({ ...a, accessReason: d.reason }, org, v.at));
          facts.quarantineMailbox = r.command?.name;
          const answer = (): void => sendWbxml(res, reply.httpStatus, reply.body, reply.headers);
          if (reply.holdMs === undefined) answer();
          else {
            // Held like an upstream Ping, so that a stop, a release or a wipe can end it.
            const timer = setTimeout(answer, reply.holdMs);
            const remove = longPolls.add({ request: r, res, handler: { responseStarted: false, detach: () => clearTimeout(timer) }, quarantine: true });
            res.once('close', () => {
              clearTimeout(timer);
              remove();
            });
          }
          if (accepted) {
            access.record(r, v, false);
            if (v.association !== null && v.association.quarantineMailboxAt === undefined) access.patchAssociation(v, { quarantineMailboxAt: v.at });
          }
          return;
        }
        const answer = refusal(r.command, r.protocolVersion, d.status ?? 129);
        sendWbxml(res, answer.httpStatus, answer.body);
        if (accepted) access.record(r, v, false);
      }).catch((err: unknown) => {
        if (err instanceof GatewayError) return refuse(err, { connection: 'close' });
        log.error({ err, cmd: r.command?.name }, 'answering a refused device failed');
        if (!res.headersSent) sendLocal(res, 500, {});
        else res.destroy();
      });
    }

    function refuse(err: GatewayError, extra?: Record<string, string>): void {
      facts.error = err.code;
      facts.reason = err.message;
      sendError(res, err, extra);
      // Whatever body the device was sending is not wanted; discard it without buffering.
      if (!req.complete) req.resume();
    }

    function send(r: DeviceRequest, body: Buffer | IncomingMessage | null, v: Verdict | undefined): void {
      const longPoll = r.command?.longPoll === true;
      const forwardedAt = performance.now();
      const handler = forward(upstream.pool, res, {
        path: upstream.path === '/' ? `/${qAt < 0 ? '' : url.slice(qAt)}` : `${upstream.path}${qAt < 0 ? '' : url.slice(qAt)}`,
        method,
        headers: upstreamRequestHeaders(req.headers, {
          remoteAddress: req.socket.remoteAddress,
          proto,
          trustProxy: config.trustProxy,
        }),
        body,
        timeoutMs: longPoll ? config.longPollTimeoutMs : config.requestTimeoutMs,
        rewriteHeaders: (status, headers) => {
          if (status === 451) rewriteLocation(headers, req, config, proto, upstream);
          if (state.draining) headers.connection = 'close';
        },
        onUpstreamAnswer: (status) => {
          state.upstreamSeenAt = Date.now();
          ctx.metrics?.upstream(r.command?.name ?? method, (performance.now() - forwardedAt) / 1000);
          facts.upstream = status;
          // Any answer but 401 means the upstream accepted the credentials.
          if (v !== undefined && status !== 401) ctx.access?.record(r, v, status >= 200 && status < 300);
          ctx.hooks.upstreamAnswered(r, status, facts);
        },
        onFailure: (err) => {
          refuse(err);
          log.warn({ err: err.cause, code: err.code, cmd: r.command?.name }, 'upstream failed');
        },
      });
      if (longPoll) {
        const remove = longPolls.add({ request: r, res, handler });
        res.once('close', remove);
      }
    }
  };
}

/** A request body as bytes: already read, absent, or read now (capped). */
function bodyBytes(body: Buffer | IncomingMessage | null, limit: number): Promise<Buffer> {
  if (body === null) return Promise.resolve(Buffer.alloc(0));
  if (Buffer.isBuffer(body)) return Promise.resolve(body);
  return readSmallBody(body, limit);
}

function hasBody(headers: IncomingHttpHeaders): boolean {
  return headers['transfer-encoding'] !== undefined || Number(headers['content-length'] ?? 0) > 0;
}

/**
 * [MS-ASHTTP] 2.2.2.1.1: with 451 the upstream names another URL in X-MS-Location, and the
 * device would use it for every later request, leaving the gateway. Devices must stay on
 * the gateway, so the location becomes the gateway's own public URL (with the query the
 * upstream gave, if any).
 */
function rewriteLocation(headers: IncomingHttpHeaders, req: IncomingMessage, config: Config, proto: string, upstream: Upstream): void {
  const raw = headers['x-ms-location'];
  const given = Array.isArray(raw) ? raw[0] : raw;
  const base = config.publicUrl?.href ?? `${proto}://${req.headers.host ?? 'localhost'}${(req.url ?? '/').split('?')[0]}`;
  let search = '';
  if (given !== undefined) {
    try {
      search = new URL(given, upstream.origin).search;
    } catch {
      search = '';
    }
  }
  headers['x-ms-location'] = `${base.replace(/\?.*$/, '')}${search}`;
}

function logLine(log: Logger, r: DeviceRequest | undefined, facts: RequestFacts, res: ServerResponse, ms: number, normalizeUser: ((raw: string) => string) | undefined): void {
  const raw = r?.authUser ?? r?.queryUser;
  // The user as the admin API names them; a base64 query's printable device ID also as its text.
  const text = r?.encoding === 'base64' && r.deviceId !== undefined ? deviceIdText(r.deviceId) : undefined;
  log.info(
    {
      user: raw === undefined || normalizeUser === undefined ? raw : normalizeUser(raw),
      deviceId: r?.deviceId,
      ...(text === undefined ? {} : { deviceIdText: text }),
      deviceType: r?.deviceType,
      cmd: r?.command?.name ?? r?.method,
      ver: r?.protocolVersion,
      status: res.statusCode,
      ms: Math.round(ms * 10) / 10,
      ...(res.writableFinished ? {} : { aborted: true }),
      ...facts,
    },
    'request',
  );
}


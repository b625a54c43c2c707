import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AssociationBatch, BackendAction, BackendDevice } from '../../sync/backend/index.js';

/**
 * A sample management backend speaking easgate's side of the contract
 * (docs/backend-api.yaml): it stores pushed batches (a repeated batchId is accepted and
 * ignored), serves device records and actions with cursors, and has switches for the
 * failures a real one shows (error statuses, slow answers, a lost batch).
 */
export interface SampleBackendOptions {
  /** Bearer token required on every call (unset: none). */
  token?: string;
  /** Items per page of /devices and /actions (default 100). */
  pageSize?: number;
  /** Keep only the batch ids, not the batches (benchmarks: a million associations). */
  discard?: boolean;
}

/** Switches, changed by tests at any time. */
export interface SampleBackendSwitches {
  /** Answer the next N calls (any path) with this status. */
  failNext: { count: number; status: number };
  /** Wait this long before answering (ms). */
  delayMs: number;
  /** Answer the nth batch received (1 = the first, repeats counted) after this long (it is stored at once). */
  slowBatch: { nth: number; ms: number } | undefined;
  /** Answer 2xx to the next N batches but do not store them (a backend that loses a batch). */
  loseNext: number;
}

export interface SampleBackend {
  readonly url: URL;
  readonly server: Server;
  readonly switches: SampleBackendSwitches;
  /** Every batch stored, in order (a repeated batchId is stored once). */
  readonly batches: AssociationBatch[];
  /** Every POST of a batch received, repeats included. */
  readonly received: string[];
  /** Associations stored (repeated batches not counted). */
  readonly stored: number;
  /** Requests seen, e.g. `GET /devices?cursor=3`. */
  readonly requests: string[];
  /** Adds or replaces a device record; it moves to the end of the change feed. */
  putDevice(device: BackendDevice): void;
  addAction(action: Omit<BackendAction, 'id'> & { id?: string }): BackendAction;
  /** The association the backend holds for user + deviceId (the newest pushed). */
  association(user: string, deviceId: string): AssociationBatch['associations'][number] | undefined;
  close(): Promise<void>;
}

interface Feed<T> {
  seq: number;
  entries: { seq: number; item: T }[];
}

export async function startSampleBackend(options: SampleBackendOptions = {}, port = 0): Promise<SampleBackend> {
  const pageSize = options.pageSize ?? 100;
  const switches: SampleBackendSwitches = { failNext: { count: 0, status: 500 }, delayMs: 0, loseNext: 0, slowBatch: undefined };
  const batches: AssociationBatch[] = [];
  const received: string[] = [];
  const requests: string[] = [];
  const seen = new Set<string>();
  let stored = 0;
  const held = new Map<string, AssociationBatch['associations'][number]>();
  const devices: Feed<BackendDevice> = { seq: 0, entries: [] };
  const actions: Feed<BackendAction> = { seq: 0, entries: [] };
  const key = (user: string, deviceId: string): string => `${user}/${deviceId.toLowerCase()}`;

  const page = <T>(feed: Feed<T>, cursor: string | null): { items: T[]; nextCursor: string | null } => {
    const after = cursor === null ? 0 : Number(cursor);
    const rest = feed.entries.filter((e) => e.seq > after).slice(0, pageSize);
    const last = rest.at(-1);
    return { items: rest.map((e) => e.item), nextCursor: last === undefined ? (cursor ?? null) : String(last.seq) };
  };

  /** The answer to one request; a batch is stored before any delay, so a slow answer may still have stored it. */
  const answer = (req: IncomingMessage, body: string): [number, unknown] => {
    if (switches.failNext.count > 0) {
      switches.failNext.count--;
      return [switches.failNext.status, { error: 'injected failure' }];
    }
    if (options.token !== undefined && req.headers.authorization !== `Bearer ${options.token}`) return [401, { error: 'unauthorized' }];
    const url = new URL(req.url ?? '/', 'http://backend');
    if (req.method === 'POST' && url.pathname === '/associations/batch') {
      let batch: AssociationBatch;
      try {
        batch = JSON.parse(body) as AssociationBatch;
      } catch {
        return [400, { error: 'not JSON' }];
      }
      if (typeof batch.batchId !== 'string' || !Array.isArray(batch.associations)) return [400, { error: 'not a batch' }];
      received.push(batch.batchId);
      if (switches.loseNext > 0) {
        switches.loseNext--;
        return [202, { stored: true }];
      }
      if (!seen.has(batch.batchId)) {
        seen.add(batch.batchId);
        stored += batch.associations.length;
        if (options.discard !== true) {
          batches.push(batch);
          for (const a of batch.associations) held.set(key(a.user, a.deviceId), a);
          for (const d of batch.deleted ?? []) held.delete(key(d.user, d.deviceId));
        }
      }
      return [200, { stored: true }];
    }
    if (req.method === 'GET' && url.pathname === '/devices') return [200, page(devices, url.searchParams.get('cursor'))];
    if (req.method === 'GET' && url.pathname === '/actions') return [200, page(actions, url.searchParams.get('cursor'))];
    return [404, { error: 'no such route' }];
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readBody(req);
    requests.push(`${req.method} ${req.url}`);
    const before = received.length;
    const [status, json] = answer(req, body);
    const slow = switches.slowBatch !== undefined && received.length > before && received.length === switches.slowBatch.nth ? switches.slowBatch.ms : 0;
    const delay = Math.max(switches.delayMs, slow);
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    send(res, status, json);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => send(res, 500, { error: 'sample backend failed' }));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: bound } = server.address() as AddressInfo;

  return {
    url: new URL(`http://127.0.0.1:${bound}/`),
    server,
    switches,
    batches,
    received,
    requests,
    get stored() {
      return stored;
    },
    putDevice(device) {
      devices.entries = devices.entries.filter((e) => e.item.backendDeviceId !== device.backendDeviceId);
      devices.entries.push({ seq: ++devices.seq, item: device });
    },
    addAction(action) {
      const full: BackendAction = { ...action, id: action.id ?? `act-${actions.seq + 1}` };
      actions.entries.push({ seq: ++actions.seq, item: full });
      return full;
    },
    association: (user, deviceId) => held.get(key(user, deviceId)),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.destroyed || res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

import type { Association, StateChange } from '../../policy/index.js';
import { boolOption, flag, positional, reasonOf, str, timeArg, type Parsed } from './args.js';
import { segment, UsageError } from './client.js';
import { fields, json, table, time } from './output.js';
import { runVerb, type Ctx, type Sub } from './run.js';
import type { AdminIo } from './client.js';

/** `easgate devices list` and `easgate device show|allow|block|remove|comment`. */
export const DEVICES_USAGE = `usage: easgate devices list [options]
  --q TEXT                 prefix of user, device ID, type, model or friendly name (2+ characters)
  --state STATE            Allowed | Blocked | Quarantined | DeviceDiscovery
  --reason REASON          e.g. Individual, DeviceRule, Global
  --user USER  --domain DOMAIN  --type DEVICETYPE  --os PREFIX  --device-id ID
  --wipe none|pending|sent|succeeded|failed   the remote wipe's status
  --linked true|false      linked to the management backend
  --policy-assigned true|false   decided by a device access rule
  --action-this-year       allowed/blocked by an admin or wipe requested this year
  --synced-after T  --synced-before T   T: 30d, 12h, 2w before now, or an ISO 8601 time
  --sort COLUMN [--desc]   user, deviceId, deviceType, model, friendlyName, os, lastSync, firstSync, accessState
  --limit N  --cursor C  --all (every page)  --json
`;

export const DEVICE_USAGE = `usage: easgate device show USER DEVICEID [--json]
       easgate device allow USER DEVICEID      (adds it to the mailbox's allowed device IDs; releases quarantine)
       easgate device block USER DEVICEID      (adds it to the mailbox's blocked device IDs)
       easgate device wipe USER DEVICEID [--account-only [--fallback-to-full]]   (remote wipe; account-only: EAS 16.1)
       easgate device cancel-wipe USER DEVICEID   (until the directive was sent)
       easgate device link USER DEVICEID BACKEND-DEVICE-ID | device unlink USER DEVICEID
       easgate device remove USER DEVICEID     (removes the partnership)
       easgate device comment USER DEVICEID TEXT   ('' removes it)
  every change takes --reason TEXT (e.g. a ticket number), kept in the audit log and the history; every verb --json
`;

const LIST_OPTIONS = {
  q: { type: 'string' },
  state: { type: 'string' },
  reason: { type: 'string' },
  user: { type: 'string' },
  domain: { type: 'string' },
  type: { type: 'string' },
  os: { type: 'string' },
  'device-id': { type: 'string' },
  linked: { type: 'string' },
  wipe: { type: 'string' },
  'policy-assigned': { type: 'string' },
  'action-this-year': { type: 'boolean' },
  'synced-after': { type: 'string' },
  'synced-before': { type: 'string' },
  sort: { type: 'string' },
  desc: { type: 'boolean' },
  limit: { type: 'string' },
  cursor: { type: 'string' },
  all: { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

function listQuery(p: Parsed, now: number): URLSearchParams {
  const q = new URLSearchParams();
  const map: [string, string][] = [
    ['q', 'q'], ['state', 'state'], ['reason', 'reason'], ['user', 'user'], ['domain', 'domain'], ['type', 'deviceType'], ['os', 'os'],
    ['device-id', 'deviceId'], ['wipe', 'wipe'], ['sort', 'sort'], ['limit', 'limit'], ['cursor', 'cursor'],
  ];
  for (const [opt, param] of map) {
    const v = str(p, opt);
    if (v !== undefined) q.set(param, v);
  }
  for (const [opt, param] of [['linked', 'linked'], ['policy-assigned', 'policyAssigned']] as const) {
    const v = boolOption(p, opt);
    if (v !== undefined) q.set(param, String(v));
  }
  if (flag(p, 'action-this-year')) q.set('actionThisYear', 'true');
  if (flag(p, 'desc')) q.set('order', 'desc');
  const after = str(p, 'synced-after');
  const before = str(p, 'synced-before');
  if (after !== undefined) q.set('lastSyncAfter', timeArg(after, now, 'synced-after'));
  if (before !== undefined) q.set('lastSyncBefore', timeArg(before, now, 'synced-before'));
  return q;
}

/** The wipe column in the filter's words: none, pending, sent, succeeded, failed. */
export const wipeWord = (a: Association): string => (a.wipeStatus === undefined ? 'none' : a.wipeStatus.slice(4).toLowerCase());

const row = (a: Association): unknown[] => [a.user, a.deviceId, a.deviceType, a.model, a.os, a.accessState, a.accessReason, wipeWord(a), time(a.lastSyncAttemptAt ?? a.firstSyncAt)];

const list: Sub = {
  options: LIST_OPTIONS,
  async run({ p, api, io, now }: Ctx) {
    if (p.positionals[0] !== 'list' || p.positionals.length > 1) throw new UsageError('easgate devices list [options]');
    const q = listQuery(p, now);
    const items: Association[] = [];
    let next: string | null = null;
    do {
      if (next !== null) q.set('cursor', next);
      const page = await api.call<{ items: Association[]; nextCursor: string | null }>('GET', `/associations?${q.toString()}`);
      items.push(...page.items);
      next = page.nextCursor;
    } while (next !== null && flag(p, 'all'));
    if (flag(p, 'json')) json(io.stdout, { items, nextCursor: next });
    else {
      table(io.stdout, ['USER', 'DEVICE ID', 'TYPE', 'MODEL', 'OS', 'STATE', 'REASON', 'WIPE', 'LAST SYNC'], items.map(row));
      if (next !== null) io.stderr.write(`more: easgate devices list … --cursor ${next}\n`);
    }
    return 0;
  },
};

function deviceSub(action: (ctx: Ctx, path: string) => Promise<unknown>, extra = 0, more: Sub['options'] = {}): Sub {
  return {
    options: { json: { type: 'boolean' }, reason: { type: 'string' }, ...more },
    async run(ctx) {
      const path = `/associations${segment(positional(ctx.p, 0, 'USER'), positional(ctx.p, 1, 'DEVICEID'))}`;
      if (ctx.p.positionals.length > 2 + extra) throw new UsageError('too many arguments');
      const result = await action(ctx, path);
      if (flag(ctx.p, 'json')) json(ctx.io.stdout, result ?? null);
      else if (result !== undefined && (result as { removed?: boolean }).removed !== true) show(ctx.io, result as Association & { history?: StateChange[] }, ctx.now);
      return 0;
    },
  };
}

/** The fields of `device show`, in this order (others the API adds come after them). */
const SHOW_ORDER = [
  'user', 'deviceId', 'displayName', 'deviceType', 'model', 'friendlyName', 'os', 'osLanguage', 'imei', 'phoneNumber', 'mobileOperator', 'userAgent', 'protocolVersion',
  'accessState', 'accessReason', 'matchedRuleId', 'recordedAccessState', 'recordedAccessReason', 'recordedRuleId', 'recordedAccessStateAt',
  'firstSyncAt', 'lastSyncAttemptAt', 'lastSuccessSyncAt', 'lastCommand', 'lastInstance', 'deviceInfoAt', 'accessStateAt',
  'wipeStatus', 'wipeAccountOnly', 'wipeRequestedAt', 'wipeRequestedBy', 'wipeSentAt', 'wipeAckAt',
  'backendDeviceId', 'linkedAt', 'replaces', 'replacedBy', 'quarantineMailboxAt', 'comment',
];
const TIMES = new Set(['firstSyncAt', 'lastSyncAttemptAt', 'lastSuccessSyncAt', 'accessStateAt', 'recordedAccessStateAt', 'deviceInfoAt', 'linkedAt', 'wipeRequestedAt', 'wipeSentAt', 'wipeAckAt', 'quarantineMailboxAt']);

/** `2026-01-31T12:00:00Z (3 min ago)`. */
export function humanTime(ms: number, now: number): string {
  const s = Math.round((now - ms) / 1000);
  const abs = Math.abs(s);
  const [n, unit] = abs < 60 ? [abs, 's'] : abs < 3600 ? [Math.floor(abs / 60), 'min'] : abs < 172_800 ? [Math.floor(abs / 3600), 'h'] : [Math.floor(abs / 86_400), 'days'];
  return `${new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')} (${s < 0 ? `in ${n} ${unit}` : abs < 5 ? 'just now' : `${n} ${unit} ago`})`;
}

function show(io: AdminIo, a: Association & { history?: StateChange[] }, now: number): void {
  const { history, ...rest } = a as Association & { history?: StateChange[] } & Record<string, unknown>;
  const keys = [...SHOW_ORDER.filter((k) => k in rest), ...Object.keys(rest).filter((k) => !SHOW_ORDER.includes(k)).sort()];
  fields(io.stdout, Object.fromEntries(keys.map((k) => [k, TIMES.has(k) && typeof rest[k] === 'number' ? humanTime(rest[k] as number, now) : rest[k]])));
  if (history !== undefined && history.length > 0) {
    io.stdout.write('\nhistory:\n');
    table(io.stdout, ['AT', 'STATE', 'REASON', 'RULE', 'BY', 'NOTE'], history.map((h) => [time(h.at), h.state, h.reason, h.ruleId, h.actor, h.note]));
  }
}

export function runDevices(args: string[], io: AdminIo): Promise<number> {
  return runVerb('devices', DEVICES_USAGE, { '': list }, args, io);
}

export function runDevice(args: string[], io: AdminIo): Promise<number> {
  return runVerb(
    'device',
    DEVICE_USAGE,
    {
      show: deviceSub(({ api }, path) => api.call('GET', path)),
      allow: deviceSub(({ api, p }, path) => api.call('POST', `${path}/allow`, reasonOf(p))),
      block: deviceSub(({ api, p }, path) => api.call('POST', `${path}/block`, reasonOf(p))),
      wipe: deviceSub(
        ({ api, p }, path) => api.call('POST', `${path}/wipe`, { accountOnly: flag(p, 'account-only'), fallbackToFull: flag(p, 'fallback-to-full'), ...reasonOf(p) }),
        0,
        { 'account-only': { type: 'boolean' }, 'fallback-to-full': { type: 'boolean' } },
      ),
      'cancel-wipe': deviceSub(({ api, p }, path) => api.call('POST', `${path}/cancel-wipe`, reasonOf(p))),
      link: deviceSub(({ api, p }, path) => api.call('POST', `${path}/link`, { backendDeviceId: positional(p, 2, 'BACKEND-DEVICE-ID'), ...reasonOf(p) }), 1),
      unlink: deviceSub(({ api, p }, path) => api.call('POST', `${path}/unlink`, reasonOf(p))),
      remove: deviceSub(async ({ api, io, p }, path) => {
        const r = str(p, 'reason');
        await api.call('DELETE', r === undefined ? path : `${path}?${new URLSearchParams({ reason: r }).toString()}`);
        if (!flag(p, 'json')) io.stdout.write('removed\n');
        return { removed: true };
      }),
      comment: deviceSub(({ api, p }, path) => api.call('PUT', `${path}/comment`, { comment: positional(p, 2, 'TEXT'), ...reasonOf(p) }), 1),
    },
    args,
    io,
  );
}

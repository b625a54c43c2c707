import { boolOption, flag, positional, reasonOf, str } from './args.js';
import { segment, UsageError, type AdminIo } from './client.js';
import { fields, json, table, time } from './output.js';
import { runVerb, type Ctx, type Sub } from './run.js';

/** `easgate system show|set`, `device-ids list|add|remove`, `tokens list|create|revoke`. */
export const SYSTEM_USAGE = `usage: easgate system show [--json]
       easgate system set [--enabled true|false] [--license-total N [--license-expires YYYY-MM-DD] | --no-license] [--reason TEXT] [--json]
  --enabled false turns ActiveSync off for everyone (devices get Status 126 / HTTP 403)
`;
export const DEVICE_IDS_USAGE = `usage: easgate device-ids list [--json]
       easgate device-ids add DEVICEID --level Allow|Block [--note TEXT] [--reason TEXT] [--json]   (for every mailbox)
       easgate device-ids remove DEVICEID [--reason TEXT] [--json]
`;
export const TOKENS_USAGE = `usage: easgate tokens list [--json]
       easgate tokens create NAME --role viewer|helpdesk|wiper|admin [--json]   (prints the secret once)
       easgate tokens revoke NAME [--json]
`;

const JSON_ONLY = { json: { type: 'boolean' } } as const;

function print(ctx: Ctx, value: unknown): number {
  if (flag(ctx.p, 'json')) json(ctx.io.stdout, value);
  else fields(ctx.io.stdout, value as Record<string, unknown>);
  return 0;
}

/** A DELETE with the admin's reason in the query (DELETE has no body). */
async function remove(ctx: Ctx, path: string, what: string): Promise<number> {
  const r = str(ctx.p, 'reason');
  await ctx.api.call('DELETE', r === undefined ? path : `${path}?${new URLSearchParams({ reason: r }).toString()}`);
  if (flag(ctx.p, 'json')) json(ctx.io.stdout, { removed: what });
  else ctx.io.stdout.write(`removed ${what}\n`);
  return 0;
}

export function runSystem(args: string[], io: AdminIo): Promise<number> {
  return runVerb(
    'system',
    SYSTEM_USAGE,
    {
      show: { options: JSON_ONLY, run: async (ctx) => print(ctx, await ctx.api.call('GET', '/settings/system')) },
      set: {
        options: { enabled: { type: 'string' }, 'license-total': { type: 'string' }, 'license-expires': { type: 'string' }, 'no-license': { type: 'boolean' }, reason: { type: 'string' }, json: { type: 'boolean' } },
        async run(ctx) {
          const enabled = boolOption(ctx.p, 'enabled');
          const total = str(ctx.p, 'license-total');
          const expires = str(ctx.p, 'license-expires');
          if (total !== undefined && !/^\d{1,9}$/.test(total)) throw new UsageError('--license-total takes a whole number');
          if (flag(ctx.p, 'no-license') && total !== undefined) throw new UsageError('--no-license or --license-total, not both');
          if (expires !== undefined && total === undefined) throw new UsageError('--license-expires goes with --license-total');
          const license = flag(ctx.p, 'no-license') ? null : total === undefined ? undefined : { total: Number(total), ...(expires === undefined ? {} : { expiresAt: expires }) };
          if (enabled === undefined && license === undefined) throw new UsageError('nothing to set: --enabled, --license-total or --no-license');
          const body = { ...(enabled === undefined ? {} : { activeSyncEnabled: enabled }), ...(license === undefined ? {} : { license }), ...reasonOf(ctx.p) };
          return print(ctx, await ctx.api.call('PUT', '/settings/system', body));
        },
      },
    },
    args,
    io,
  );
}

interface Entry {
  deviceId: string;
  accessLevel: string;
  note?: string;
}

export function runDeviceIds(args: string[], io: AdminIo): Promise<number> {
  const subs: Record<string, Sub> = {
    list: {
      options: JSON_ONLY,
      async run(ctx) {
        const { items } = await ctx.api.call<{ items: Entry[] }>('GET', '/device-ids');
        if (flag(ctx.p, 'json')) json(ctx.io.stdout, items);
        else table(ctx.io.stdout, ['DEVICE ID', 'LEVEL', 'NOTE'], items.map((e) => [e.deviceId, e.accessLevel, e.note]));
        return 0;
      },
    },
    add: {
      options: { level: { type: 'string' }, note: { type: 'string' }, reason: { type: 'string' }, json: { type: 'boolean' } },
      async run(ctx) {
        const level = str(ctx.p, 'level');
        if (level === undefined) throw new UsageError('--level Allow|Block is required');
        const note = str(ctx.p, 'note');
        return print(ctx, await ctx.api.call('PUT', `/device-ids${segment(positional(ctx.p, 0, 'DEVICEID'))}`, { accessLevel: level, ...(note === undefined ? {} : { note }), ...reasonOf(ctx.p) }));
      },
    },
    remove: { options: { reason: { type: 'string' }, json: { type: 'boolean' } }, run: (ctx) => remove(ctx, `/device-ids${segment(positional(ctx.p, 0, 'DEVICEID'))}`, positional(ctx.p, 0, 'DEVICEID')) },
  };
  return runVerb('device-ids', DEVICE_IDS_USAGE, subs, args, io);
}

interface Token {
  name: string;
  role: string;
  createdAt: number;
  createdBy?: string;
  token?: string;
}

export function runTokens(args: string[], io: AdminIo): Promise<number> {
  const subs: Record<string, Sub> = {
    list: {
      options: JSON_ONLY,
      async run(ctx) {
        const { items } = await ctx.api.call<{ items: Token[] }>('GET', '/tokens');
        if (flag(ctx.p, 'json')) json(ctx.io.stdout, items);
        else table(ctx.io.stdout, ['NAME', 'ROLE', 'CREATED', 'BY'], items.map((t) => [t.name, t.role, time(t.createdAt), t.createdBy]));
        return 0;
      },
    },
    create: {
      options: { role: { type: 'string' }, reason: { type: 'string' }, json: { type: 'boolean' } },
      async run(ctx) {
        const role = str(ctx.p, 'role');
        if (role === undefined) throw new UsageError('--role viewer|helpdesk|wiper|admin is required');
        const t = await ctx.api.call<Token>('POST', '/tokens', { name: positional(ctx.p, 0, 'NAME'), role, ...reasonOf(ctx.p) });
        if (flag(ctx.p, 'json')) json(ctx.io.stdout, t);
        else {
          fields(ctx.io.stdout, { name: t.name, role: t.role, token: t.token });
          ctx.io.stderr.write('the token is shown this once: keep it now\n');
        }
        return 0;
      },
    },
    revoke: { options: { reason: { type: 'string' }, json: { type: 'boolean' } }, run: (ctx) => remove(ctx, `/tokens${segment(positional(ctx.p, 0, 'NAME'))}`, positional(ctx.p, 0, 'NAME')) },
  };
  return runVerb('tokens', TOKENS_USAGE, subs, args, io);
}

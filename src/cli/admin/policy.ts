import { boolOption, flag, list, positional, reasonOf, str } from './args.js';
import { segment, UsageError, type AdminIo } from './client.js';
import { fields, json, table } from './output.js';
import { runVerb, type Ctx, type Sub } from './run.js';

/** `easgate rules list|add|remove`, `org show|set`, `domain list|set`, `license`. */
export const RULES_USAGE = `usage: easgate rules list [--json]
       easgate rules add --characteristic UserAgent|DeviceOS|DeviceModel|DeviceType --query TEXT --level Allow|Block|Quarantine [--id ID]
       easgate rules remove ID
`;
export const ORG_USAGE = `usage: easgate org show [--json]
       easgate org set [--default-level Allow|Block|Quarantine] [--unregistered-level Allow|Block|Quarantine]
                       [--admin-mail a@x,b@x] [--user-mail-insert TEXT]
`;
export const DOMAIN_USAGE = `usage: easgate domain list [--json]
       easgate domain set DOMAIN [--enabled true|false] [--default-level Allow|Block|Quarantine|none]
`;
export const LICENSE_USAGE = `usage: easgate license [--json]   (total, in use, days remaining, and the over-the-limit message)
       easgate license set --total N [--expires YYYY-MM-DD] [--reason TEXT] [--json]
       easgate license set --none [--reason TEXT] [--json]   (no limit)
`;

type Items<T> = { items: T[] };
const JSON_ONLY = { json: { type: 'boolean' } } as const;

/** Prints `value` as JSON with --json, else as key/value lines. */
function print(ctx: Ctx, value: unknown): number {
  if (flag(ctx.p, 'json')) json(ctx.io.stdout, value);
  else fields(ctx.io.stdout, value as Record<string, unknown>);
  return 0;
}

function listing<T>(path: string, headers: string[], row: (t: T) => unknown[]): Sub {
  return {
    options: JSON_ONLY,
    async run(ctx) {
      const { items } = await ctx.api.call<Items<T>>('GET', path);
      if (flag(ctx.p, 'json')) json(ctx.io.stdout, items);
      else table(ctx.io.stdout, headers, items.map(row));
      return 0;
    },
  };
}

interface Rule {
  id: string;
  characteristic: string;
  queryString: string;
  accessLevel: string;
}

interface DomainUsage {
  name: string;
  activeSyncEnabled: boolean;
  defaultAccessLevel?: string;
  activeSyncUsers: number;
}

export function runRules(args: string[], io: AdminIo): Promise<number> {
  return runVerb(
    'rules',
    RULES_USAGE,
    {
      list: listing<Rule>('/rules', ['ID', 'CHARACTERISTIC', 'QUERY', 'LEVEL'], (r) => [r.id, r.characteristic, r.queryString, r.accessLevel]),
      add: {
        options: { characteristic: { type: 'string' }, query: { type: 'string' }, level: { type: 'string' }, id: { type: 'string' }, json: { type: 'boolean' } },
        async run(ctx) {
          const [characteristic, queryString, accessLevel] = ['characteristic', 'query', 'level'].map((o) => str(ctx.p, o));
          if (characteristic === undefined || queryString === undefined || accessLevel === undefined) throw new UsageError('rules add needs --characteristic, --query and --level');
          const id = str(ctx.p, 'id');
          return print(ctx, await ctx.api.call('POST', '/rules', { characteristic, queryString, accessLevel, ...(id === undefined ? {} : { id }) }));
        },
      },
      remove: {
        options: {},
        async run(ctx) {
          await ctx.api.call('DELETE', `/rules${segment(positional(ctx.p, 0, 'ID'))}`);
          ctx.io.stdout.write('removed\n');
          return 0;
        },
      },
    },
    args,
    io,
  );
}

export function runOrg(args: string[], io: AdminIo): Promise<number> {
  return runVerb(
    'org',
    ORG_USAGE,
    {
      show: { options: JSON_ONLY, run: async (ctx) => print(ctx, await ctx.api.call('GET', '/settings/organization')) },
      set: {
        options: { 'default-level': { type: 'string' }, 'unregistered-level': { type: 'string' }, 'admin-mail': { type: 'string' }, 'user-mail-insert': { type: 'string' }, json: { type: 'boolean' } },
        async run(ctx) {
          const level = str(ctx.p, 'default-level');
          const unregistered = str(ctx.p, 'unregistered-level');
          const mail = list(ctx.p, 'admin-mail');
          const insert = str(ctx.p, 'user-mail-insert');
          const body = {
            ...(level === undefined ? {} : { defaultAccessLevel: level }),
            ...(unregistered === undefined ? {} : { unregisteredAccessLevel: unregistered }),
            ...(mail === undefined ? {} : { adminMailRecipients: mail }), ...(insert === undefined ? {} : { userMailInsert: insert }),
          };
          return print(ctx, await ctx.api.call('PUT', '/settings/organization', body));
        },
      },
    },
    args,
    io,
  );
}

export function runDomain(args: string[], io: AdminIo): Promise<number> {
  return runVerb(
    'domain',
    DOMAIN_USAGE,
    {
      list: listing<DomainUsage>('/domains', ['DOMAIN', 'ACTIVESYNC', 'DEFAULT LEVEL', 'USERS'], (d) => [d.name, d.activeSyncEnabled ? 'on' : 'off', d.defaultAccessLevel ?? '', d.activeSyncUsers]),
      set: {
        options: { enabled: { type: 'string' }, 'default-level': { type: 'string' }, json: { type: 'boolean' } },
        async run(ctx) {
          const enabled = boolOption(ctx.p, 'enabled');
          const level = str(ctx.p, 'default-level');
          const body = { ...(enabled === undefined ? {} : { activeSyncEnabled: enabled }), ...(level === undefined ? {} : { defaultAccessLevel: level === 'none' ? null : level }) };
          return print(ctx, await ctx.api.call('PUT', `/domains${segment(positional(ctx.p, 0, 'DOMAIN'))}`, body));
        },
      },
    },
    args,
    io,
  );
}

interface License {
  total: number | null;
  inUse: number;
  available: number | null;
  expiresAt: string | null;
  daysRemaining: number | null;
  message: string | null;
}

export function runLicense(args: string[], io: AdminIo): Promise<number> {
  return runVerb(
    'license',
    LICENSE_USAGE,
    {
      '': {
        options: { json: { type: 'boolean' }, total: { type: 'string' }, expires: { type: 'string' }, none: { type: 'boolean' }, reason: { type: 'string' } },
        async run(ctx) {
          if (ctx.p.positionals[0] === 'set') {
            const total = str(ctx.p, 'total');
            const expires = str(ctx.p, 'expires');
            if ((total === undefined) === !flag(ctx.p, 'none') || (total !== undefined && !/^\d{1,9}$/.test(total))) throw new UsageError('license set takes --total N (a whole number) or --none');
            const license = total === undefined ? null : { total: Number(total), ...(expires === undefined ? {} : { expiresAt: expires }) };
            await ctx.api.call('PUT', '/settings/system', { license, ...reasonOf(ctx.p) });
          } else if (ctx.p.positionals.length > 0) throw new UsageError(`unknown subcommand '${ctx.p.positionals[0]!}'`);
          const l = await ctx.api.call<License>('GET', '/license');
          if (flag(ctx.p, 'json')) return print(ctx, l);
          fields(ctx.io.stdout, {
            total: l.total ?? 'no limit',
            'in use': l.inUse,
            available: l.available ?? 'no limit',
            expires: l.expiresAt ?? 'never',
            'days remaining': l.daysRemaining ?? '—',
          });
          if (l.message !== null) ctx.io.stdout.write(`\n${l.message}\n`);
          return 0;
        },
      },
    },
    args,
    io,
  );
}

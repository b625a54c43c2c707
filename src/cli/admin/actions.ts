import { flag, str, timeArg } from './args.js';
import { UsageError, type AdminIo } from './client.js';
import { json, table, time } from './output.js';
import { runVerb, type Ctx } from './run.js';

/** `easgate grandfather`, `easgate purge`, `easgate audit`. */
export const GRANDFATHER_USAGE = `usage: easgate grandfather --since 30d|ISO-TIME [--dry-run] [--json]
  allows every device seen since then that is allowed now (through its mailbox's allowed list),
  so that turning the default access level to Quarantine locks nobody out
`;
export const PURGE_USAGE = `usage: easgate purge --older-than-days N [--state Quarantined|Blocked|Allowed|DeviceDiscovery] [--dry-run] [--json]
  with --state: removes associations in that state for more than N days;
  without: removes associations without a sync attempt for N days
`;
export const AUDIT_USAGE = `usage: easgate audit [--actor TOKEN-NAME] [--object TYPE:KEY] [--type TYPE] [--limit N] [--cursor C] [--json]
`;

interface Report {
  dryRun: boolean;
  counts: Record<string, number>;
  items: { user: string; deviceId: string; result: string }[];
  truncated: boolean;
}

function printReport(ctx: Ctx, r: Report): number {
  if (flag(ctx.p, 'json')) {
    json(ctx.io.stdout, r);
    return 0;
  }
  table(ctx.io.stdout, ['USER', 'DEVICE ID', 'RESULT'], r.items.map((i) => [i.user, i.deviceId, i.result]));
  if (r.truncated) ctx.io.stdout.write(`(the first ${r.items.length} listed)\n`);
  ctx.io.stdout.write(`${r.dryRun ? 'dry run: nothing changed; ' : ''}${Object.entries(r.counts).map(([k, n]) => `${k} ${n}`).join(', ')}\n`);
  return 0;
}

export function runGrandfather(args: string[], io: AdminIo): Promise<number> {
  return runVerb(
    'grandfather',
    GRANDFATHER_USAGE,
    {
      '': {
        options: { since: { type: 'string' }, 'dry-run': { type: 'boolean' }, json: { type: 'boolean' } },
        async run(ctx) {
          const since = str(ctx.p, 'since');
          if (since === undefined) throw new UsageError('--since is required');
          return printReport(ctx, await ctx.api.call<Report>('POST', '/actions/grandfather', { since: timeArg(since, ctx.now, 'since'), dryRun: flag(ctx.p, 'dry-run') }));
        },
      },
    },
    args,
    io,
  );
}

export function runPurge(args: string[], io: AdminIo): Promise<number> {
  return runVerb(
    'purge',
    PURGE_USAGE,
    {
      '': {
        options: { 'older-than-days': { type: 'string' }, state: { type: 'string' }, 'dry-run': { type: 'boolean' }, json: { type: 'boolean' } },
        async run(ctx) {
          const days = str(ctx.p, 'older-than-days');
          if (days === undefined || !/^\d{1,6}$/.test(days)) throw new UsageError('--older-than-days N is required');
          const state = str(ctx.p, 'state');
          const body = { olderThanDays: Number(days), dryRun: flag(ctx.p, 'dry-run'), ...(state === undefined ? {} : { state }) };
          return printReport(ctx, await ctx.api.call<Report>('POST', '/actions/purge', body));
        },
      },
    },
    args,
    io,
  );
}

interface AuditPage {
  items: { at: number; actor: string; action: string; object: string; source?: string; before?: unknown; after?: unknown }[];
  nextCursor: string | null;
}

export function runAudit(args: string[], io: AdminIo): Promise<number> {
  return runVerb(
    'audit',
    AUDIT_USAGE,
    {
      '': {
        options: { actor: { type: 'string' }, object: { type: 'string' }, type: { type: 'string' }, limit: { type: 'string' }, cursor: { type: 'string' }, json: { type: 'boolean' } },
        async run(ctx) {
          const q = new URLSearchParams();
          for (const [opt, param] of [['actor', 'actor'], ['object', 'object'], ['type', 'objectType'], ['limit', 'limit'], ['cursor', 'cursor']] as const) {
            const v = str(ctx.p, opt);
            if (v !== undefined) q.set(param, v);
          }
          const page = await ctx.api.call<AuditPage>('GET', `/audit?${q.toString()}`);
          if (flag(ctx.p, 'json')) json(ctx.io.stdout, page);
          else {
            table(ctx.io.stdout, ['WHEN', 'WHO', 'WHAT', 'OBJECT', 'FROM', 'AFTER'], page.items.map((e) => [time(e.at), e.actor, e.action, e.object, e.source, e.after]), 60);
            if (page.nextCursor !== null) ctx.io.stderr.write(`more: easgate audit … --cursor ${page.nextCursor}\n`);
          }
          return 0;
        },
      },
    },
    args,
    io,
  );
}

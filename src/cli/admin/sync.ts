import { flag } from './args.js';
import type { AdminIo } from './client.js';
import { fields, json, time } from './output.js';
import { runVerb } from './run.js';

/** `easgate sync run [--full]`, `easgate sync status`: the management-backend sync. */
export const SYNC_USAGE = `usage: easgate sync run [--full] [--json]
       easgate sync status [--json]
  run: pushes the associations changed since the last success (--full: every association),
  links devices the backend registered and applies its actions; exits 1 when the run failed
  status: last success, cursors, lag, failures, next runs
`;

interface Report {
  ran: boolean;
  finished?: boolean;
  reason?: string;
  kind: string;
  batches?: number;
  pushed?: number;
  links?: Record<string, number>;
  actions?: Record<string, number>;
  error?: { code: string; message: string };
}

const counts = (r: Record<string, number> | undefined): string =>
  Object.entries(r ?? {})
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');

export function runSync(args: string[], io: AdminIo): Promise<number> {
  return runVerb(
    'sync',
    SYNC_USAGE,
    {
      run: {
        options: { full: { type: 'boolean' }, json: { type: 'boolean' } },
        async run(ctx) {
          const r = await ctx.api.call<Report>('POST', '/sync/run', { full: flag(ctx.p, 'full') });
          if (flag(ctx.p, 'json')) json(ctx.io.stdout, r);
          else if (!r.ran) ctx.io.stdout.write(`not run: ${r.reason ?? 'unknown'}\n`);
          else if (r.finished === false) ctx.io.stdout.write(`${r.kind} sync started; it goes on (easgate sync status)\n`);
          else {
            fields(ctx.io.stdout, { kind: r.kind, batches: r.batches, pushed: r.pushed, links: counts(r.links), actions: counts(r.actions), error: r.error === undefined ? undefined : `${r.error.code}: ${r.error.message}` });
          }
          return r.error === undefined ? 0 : 1;
        },
      },
      status: {
        options: { json: { type: 'boolean' } },
        async run(ctx) {
          const s = await ctx.api.call<Record<string, unknown>>('GET', '/sync/status');
          if (flag(ctx.p, 'json')) json(ctx.io.stdout, s);
          else if (s.configured !== true) ctx.io.stdout.write('no management backend configured (EASGATE_BACKEND_URL)\n');
          else {
            const lag = s.lag as { changes: number; ms: number | null };
            const next = s.nextRun as { diff: number; full: number; pull: number };
            const err = s.lastError as { at: number; code: string; message: string } | null;
            fields(ctx.io.stdout, {
              leader: s.leader,
              running: s.running ?? 'no',
              'last success': time(s.lastSuccessAt),
              'last full': time(s.lastFullAt),
              'last pull': time(s.lastPullAt),
              cursor: s.cursor,
              lag: `${lag.changes} changes${lag.ms === null ? '' : `, ${Math.round(lag.ms / 1000)} s since the last success`}`,
              failures: s.failures,
              'last error': err === null ? undefined : `${time(err.at)} ${err.code}: ${err.message}`,
              'next diff': time(next.diff),
              'next full': time(next.full),
              'next pull': time(next.pull),
            });
          }
          return 0;
        },
      },
    },
    args,
    io,
  );
}

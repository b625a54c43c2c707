import { ApiError } from '../errors.js';
import { route, type ApiContext } from '../route.js';
import { s } from '../schema.js';

/** How long POST /sync/run waits for the run before it answers that the run goes on. */
const RUN_WAIT_MS = 10_000;

function engine(ctx: ApiContext<unknown, unknown, unknown>): NonNullable<ApiContext<unknown, unknown, unknown>['sync']> {
  if (ctx.sync === undefined) throw new ApiError('EASGATE_ERR_API_SYNC_NOT_CONFIGURED');
  return ctx.sync;
}

/** The management-backend sync on demand, and its status (docs/backend-sync.md). */
export const syncRoutes = [
  route({
    method: 'POST',
    path: '/sync/run',
    tag: 'sync',
    summary: 'Run the backend sync now (full: every association, else the differential); answers with the report, or finished false when it takes longer than 10 s',
    permission: 'admin',
    body: s.object({ full: s.optional(s.bool()) }),
    bodyOptional: true,
    response: s.any('The report of the run: ran, kind, batches, pushed, links, actions, error'),
    handler: async (ctx) => {
      const full = ctx.body?.full === true;
      const run = engine(ctx).run({ full });
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), RUN_WAIT_MS);
      });
      const report = await Promise.race([run, late]).finally(() => clearTimeout(timer));
      ctx.audit({ action: 'sync.run', object: 'sync:backend', after: { full, ...(report === undefined ? { finished: false } : { report }) } });
      return report === undefined ? { ran: true, finished: false, kind: full ? 'full' : 'diff' } : { ...report, finished: true };
    },
  }),
  route({
    method: 'GET',
    path: '/sync/status',
    tag: 'sync',
    summary: 'The backend sync: last success, cursors, lag, failures, next runs, whether this replica leads',
    permission: 'read',
    response: s.any('configured false, or the status'),
    handler: async (ctx) => (ctx.sync === undefined ? { configured: false } : { configured: true, ...(await ctx.sync.status()) }),
  }),
];

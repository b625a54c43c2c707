import { grandfather, NEEDS, PolicyView, purge } from '../../actions/index.js';
import { route } from '../route.js';
import { s } from '../schema.js';
import { STATE, TIME } from '../schemas.js';

/** Bulk actions over the associations, each reporting what it did or, with dryRun, would do (src/actions/bulk.ts). */
const REPORT = s.any('{ dryRun, counts, items: [{ user, deviceId, result }] (the first 1000), truncated }');

export const actionRoutes = [
  route({
    method: 'POST',
    path: '/actions/grandfather',
    tag: 'actions',
    summary: "Allow every device seen since a time that is allowed now, through its mailbox's allowed list (before turning the default to Quarantine)",
    permission: NEEDS.grandfather,
    body: s.object({ since: TIME, dryRun: s.optional(s.bool()) }),
    response: REPORT,
    handler: ({ action, body, store, now }) => {
      const view = new PolicyView(store, now());
      return grandfather(action, { since: Date.parse(body.since), dryRun: body.dryRun }, (batch) => view.judge(batch));
    },
  }),
  route({
    method: 'POST',
    path: '/actions/purge',
    tag: 'actions',
    summary: 'Remove associations in a state for more than N days, or (no state) without a sync attempt for N days',
    permission: NEEDS.purge,
    body: s.object({ state: s.optional(STATE), olderThanDays: s.int(1, 36_500), dryRun: s.optional(s.bool()) }),
    response: REPORT,
    handler: ({ action, body }) => purge(action, body),
  }),
];

import { commentDevice, findAssociation, NEEDS, PolicyView, removeDevice } from '../../actions/index.js';
import { listAssociations, LIST_QUERY } from '../association-list.js';
import { route } from '../route.js';
import { s } from '../schema.js';
import { ASSOCIATION, DEVICE_PARAMS, page } from '../schemas.js';

const DETAIL = s.any('Every field of the association (accessState: the decision its next request would get; recordedAccessState…: the verdict recorded at its last request), plus `history`: its recorded state changes, newest first (at most 100)');

/** Listing, detail, comment and removal of associations. */
export const associationRoutes = [
  route({
    method: 'GET',
    path: '/associations',
    tag: 'associations',
    summary: 'List associations: cursor pages, sort by any column, search q, filters',
    permission: 'read',
    query: LIST_QUERY,
    response: page(ASSOCIATION),
    handler: (ctx) => listAssociations(ctx.store, ctx.query, ctx.normalizeUser, ctx.now()),
  }),
  route({
    method: 'GET',
    path: '/associations/{user}/{deviceId}',
    tag: 'associations',
    summary: 'One association with every field and its state history',
    permission: 'read',
    params: DEVICE_PARAMS,
    response: DETAIL,
    handler: async ({ action, store, params, now }) => {
      const a = await findAssociation(action, params.user, params.deviceId);
      const [shown] = await new PolicyView(store, now()).judge([a]);
      return { ...shown, history: await store.getAssociationHistory(a.user, a.deviceId) };
    },
  }),
  route({
    method: 'PUT',
    path: '/associations/{user}/{deviceId}/comment',
    tag: 'associations',
    summary: "Set the association's comment (an empty one removes it)",
    permission: NEEDS.comment,
    params: DEVICE_PARAMS,
    body: s.object({ comment: s.string({ max: 1000, multiline: true }) }),
    response: ASSOCIATION,
    handler: ({ action, params, body }) => commentDevice(action, params.user, params.deviceId, body.comment),
  }),
  route({
    method: 'DELETE',
    path: '/associations/{user}/{deviceId}',
    tag: 'associations',
    summary: 'Remove the partnership (a returning device starts over as new)',
    permission: NEEDS.remove,
    params: DEVICE_PARAMS,
    handler: ({ action, params }) => removeDevice(action, params.user, params.deviceId),
  }),
];

import { listAssociations, LIST_QUERY } from '../association-list.js';
import { notFound } from '../errors.js';
import { route } from '../route.js';
import { s } from '../schema.js';
import { ASSOCIATION, DEVICE_PARAMS, page } from '../schemas.js';
import { associationObject, requireAssociation } from './common.js';

const DETAIL = s.any('Every field of the association, plus `history`: its state changes, newest first (at most 100)');

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
    handler: async ({ store, params, normalizeUser }) => {
      const a = await requireAssociation(store, normalizeUser(params.user), params.deviceId);
      return { ...a, history: await store.getAssociationHistory(a.user, a.deviceId) };
    },
  }),
  route({
    method: 'PUT',
    path: '/associations/{user}/{deviceId}/comment',
    tag: 'associations',
    summary: "Set the association's comment (an empty one removes it)",
    permission: 'act',
    params: DEVICE_PARAMS,
    body: s.object({ comment: s.string({ max: 1000, multiline: true }) }),
    response: ASSOCIATION,
    handler: async ({ store, params, body, normalizeUser, audit }) => {
      const a = await requireAssociation(store, normalizeUser(params.user), params.deviceId);
      const comment = body.comment === '' ? null : body.comment;
      if (!(await store.updateAssociation(a.user, a.deviceId, { comment }))) throw notFound('association');
      audit({ action: 'association.comment', object: associationObject(a), before: { comment: a.comment ?? null }, after: { comment } });
      return requireAssociation(store, a.user, a.deviceId);
    },
  }),
  route({
    method: 'DELETE',
    path: '/associations/{user}/{deviceId}',
    tag: 'associations',
    summary: 'Remove the partnership (a returning device starts over as new)',
    permission: 'admin',
    params: DEVICE_PARAMS,
    handler: async ({ store, params, normalizeUser, audit }) => {
      const a = await requireAssociation(store, normalizeUser(params.user), params.deviceId);
      if (!(await store.deleteAssociation(a.user, a.deviceId))) throw notFound('association');
      audit({ action: 'association.delete', object: associationObject(a), before: a });
      return undefined;
    },
  }),
];

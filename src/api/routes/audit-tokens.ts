import { auditObject } from '../../actions/index.js';
import { ApiError, notFound } from '../errors.js';
import { BOOTSTRAP_NAME, mintToken, ROLES, TOKEN_NAME_PATTERN } from '../auth.js';
import { route } from '../route.js';
import { s } from '../schema.js';
import { CURSOR, LIMIT, page } from '../schemas.js';

/** The audit log (who did what, when, to which object, from where) and the API tokens. */
const AUDIT_ENTRY = s.any('{ id, at, actor, action, object, before?, after?, source? }');
const TOKEN = s.any('{ name, role, createdAt, createdBy? } (never the secret)');
const TOKEN_NAME = s.string({ min: 1, max: 64, pattern: TOKEN_NAME_PATTERN });

export const auditTokenRoutes = [
  route({
    method: 'GET',
    path: '/audit',
    tag: 'audit',
    summary: 'Changes made through the API, newest first; filter by actor (token name), object (rule:r1; users and device IDs named as everywhere else) or object type (rule)',
    permission: 'read',
    query: s.object({
      actor: s.optional(TOKEN_NAME),
      object: s.optional(s.string({ min: 1, max: 1200 })),
      objectType: s.optional(s.string({ min: 1, max: 64, pattern: '^[A-Za-z]+$' })),
      limit: s.optional(LIMIT),
      cursor: s.optional(CURSOR),
    }),
    response: page(AUDIT_ENTRY),
    handler: ({ store, query, normalizeUser }) => store.queryAudit(query.object === undefined ? query : { ...query, object: auditObject(query.object, normalizeUser) }),
  }),
  route({
    method: 'GET',
    path: '/tokens',
    tag: 'tokens',
    summary: 'The API tokens (names and roles; secrets are never kept)',
    permission: 'admin',
    response: page(TOKEN),
    handler: async ({ store }) => ({ items: (await store.listTokens()).map(({ hash: _hash, ...t }) => t), nextCursor: null }),
  }),
  route({
    method: 'POST',
    path: '/tokens',
    tag: 'tokens',
    summary: 'Create a named token with a role; the answer holds its secret, shown this once',
    permission: 'admin',
    body: s.object({ name: TOKEN_NAME, role: s.enum(ROLES) }),
    status: 201,
    response: s.any('{ name, role, createdAt, token } — token is the bearer secret'),
    handler: async ({ store, body, actor, now, audit }) => {
      if (body.name === BOOTSTRAP_NAME) throw new ApiError('EASGATE_ERR_API_CONFLICT', `the name ${BOOTSTRAP_NAME} is reserved for EASGATE_ADMIN_TOKEN`);
      const { token, record } = mintToken(body.name, body.role, actor.name, now());
      if (!(await store.createToken(record))) throw new ApiError('EASGATE_ERR_API_CONFLICT', `a token named ${body.name} exists`);
      audit({ action: 'token.create', object: `token:${body.name}`, after: { name: body.name, role: body.role } });
      return { name: record.name, role: record.role, createdAt: record.createdAt, token };
    },
  }),
  route({
    method: 'DELETE',
    path: '/tokens/{name}',
    tag: 'tokens',
    summary: 'Revoke a token (at once, on every replica)',
    permission: 'admin',
    params: s.object({ name: TOKEN_NAME }),
    handler: async ({ store, params, audit }) => {
      const held = await store.getToken(params.name);
      if (held === undefined || !(await store.deleteToken(params.name))) throw notFound('token');
      audit({ action: 'token.delete', object: `token:${params.name}`, before: { name: held.name, role: held.role } });
      return undefined;
    },
  }),
];

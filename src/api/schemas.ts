import { ACCESS_LEVELS, ACCESS_REASONS, ACCESS_STATES, CHARACTERISTICS, DEVICE_ID_LEVELS } from '../policy/index.js';
import { ASSOCIATION_FIELDS } from '../store/index.js';
import { s, type JsonSchema, type Schema } from './schema.js';

/** Schemas shared by the routes: path parameters, enums, limits, answers (for the OpenAPI document). */
export const USER = s.string({ min: 1, max: 320, description: 'A user as the gateway names them (a lower-case mail address; DOMAIN\\user is normalised)' });
export const DEVICE_ID = s.string({ min: 1, max: 510, description: 'Device ID, compared without regard to case' });
export const DOMAIN_PATTERN = '^[A-Za-z0-9.-]+$';
export const DOMAIN = s.string({ min: 1, max: 253, pattern: DOMAIN_PATTERN });
export const MAIL_PATTERN = '^[^\\s@\\\\]+@[^\\s@\\\\]+$';
export const LEVEL = s.enum(ACCESS_LEVELS);
export const STATE = s.enum(ACCESS_STATES);
export const REASON = s.enum(ACCESS_REASONS);
/** The wipe filter's words for the wipe statuses (none: no wipe ordered). */
export const WIPE_FILTER = { none: 'none', pending: 'WipePending', sent: 'WipeSent', succeeded: 'WipeSucceeded', failed: 'WipeFailed' } as const;
export const CHARACTERISTIC = s.enum(CHARACTERISTICS);
export const DEVICE_ID_LEVEL = s.enum(DEVICE_ID_LEVELS);
export const RULE_ID_PATTERN = '^[A-Za-z0-9._-]+$';
export const RULE_ID = s.string({ min: 1, max: 128, pattern: RULE_ID_PATTERN });
export const QUERY_STRING = s.string({ min: 1, max: 256, description: 'Exact match, case and all' });
export const CURSOR = s.string({ min: 1, max: 2048, description: 'nextCursor of the previous page' });
export const LIMIT = s.int(1, 500, 'Items per page (default 50)');
export const TIME = s.string({ max: 40, format: 'date-time', description: 'ISO 8601 date or time, e.g. 2026-01-31 or 2026-01-31T12:00:00Z' });
export const REASON_TEXT = s.string({ max: 500, description: 'Why (free text, e.g. a ticket number): kept in the audit entry and the history' });
export const DEVICE_ID_LIST = s.array(s.string({ min: 1, max: 510 }), 1000);
export const POLICY_NAME = s.string({ min: 1, max: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$', description: "A gateway ActiveSync policy's name (null: none assigned here)" });

export const ASSOCIATION_SORTS = ['user', 'deviceId', 'deviceType', 'model', 'friendlyName', 'os', 'lastSync', 'firstSync', 'accessState'] as const;

export const USER_PARAMS = s.object({ user: USER });
export const DEVICE_PARAMS = s.object({ user: USER, deviceId: DEVICE_ID });
export const NO_QUERY = s.object({});

const JSON_TYPES = { string: 'string', number: 'integer', boolean: 'boolean' } as const;

/** Every association field, from the store's field table (data declared once). */
export const ASSOCIATION: Schema<unknown> = {
  type: 'object',
  properties: Object.fromEntries(Object.entries(ASSOCIATION_FIELDS).map(([k, t]) => [k, { type: JSON_TYPES[t] }])),
  description: 'A user + device partnership; times are epoch milliseconds',
} as JsonSchema as Schema<unknown>;

export const STATE_CHANGE = s.any('One state change: { at, state, reason, ruleId?, actor? }');

export function page(item: Schema<unknown>): Schema<unknown> {
  return s.object({ items: s.array(item, 1000), nextCursor: s.nullable(s.string({ max: 2048 })) });
}

export const ERROR = s.object({ code: s.string({ max: 64 }), message: s.string({ max: 1000 }), field: s.optional(s.string({ max: 1000 })) });

import { invalid, ApiError } from './errors.js';

/**
 * Route schemas, declared once: each builder returns a plain JSON Schema object (it goes
 * into the OpenAPI document as is) that also carries its TypeScript type, and `check`
 * validates against it. Only what the routes use: strings (with a length limit always, no
 * control characters unless `x-multiline`), integers, booleans, enums, arrays (with an item
 * limit always), objects (unknown fields refused) and null. fastify's own validator is not
 * used: its default configuration drops unknown fields instead of refusing them.
 */
declare const TYPE: unique symbol;
const OPTIONAL: unique symbol = Symbol('optional');

export type JsonSchema = { readonly [key: string]: unknown };
export type Schema<V> = JsonSchema & { readonly [TYPE]: V };
export type Optional<V> = Schema<V> & { readonly [OPTIONAL]: true };
export type Infer<S> = S extends { readonly [TYPE]: infer V } ? V : never;

type Props = Record<string, Schema<unknown>>;
type ObjectOf<P extends Props> = { -readonly [K in keyof P as P[K] extends { [OPTIONAL]: true } ? never : K]: Infer<P[K]> } & {
  -readonly [K in keyof P as P[K] extends { [OPTIONAL]: true } ? K : never]?: Infer<P[K]>;
};

const as = <V>(json: JsonSchema): Schema<V> => json as Schema<V>;

export const s = {
  string(o: { max: number; min?: number; pattern?: string; multiline?: boolean; format?: 'date-time'; description?: string }): Schema<string> {
    return as({
      type: 'string',
      minLength: o.min ?? 0,
      maxLength: o.max,
      ...(o.pattern === undefined ? {} : { pattern: o.pattern }),
      ...(o.format === undefined ? {} : { format: o.format }),
      ...(o.multiline === true ? { 'x-multiline': true } : {}),
      ...(o.description === undefined ? {} : { description: o.description }),
    });
  },
  enum<const T extends string>(values: readonly T[], description?: string): Schema<T> {
    return as({ type: 'string', enum: [...values], ...(description === undefined ? {} : { description }) });
  },
  int(min: number, max: number, description?: string): Schema<number> {
    return as({ type: 'integer', minimum: min, maximum: max, ...(description === undefined ? {} : { description }) });
  },
  bool(description?: string): Schema<boolean> {
    return as({ type: 'boolean', ...(description === undefined ? {} : { description }) });
  },
  array<V>(items: Schema<V>, max: number, min = 0): Schema<V[]> {
    return as({ type: 'array', items, minItems: min, maxItems: max });
  },
  object<P extends Props>(properties: P, description?: string): Schema<ObjectOf<P>> {
    const required = Object.keys(properties).filter((k) => !(OPTIONAL in properties[k]!));
    return as({ type: 'object', properties, required, additionalProperties: false, ...(description === undefined ? {} : { description }) });
  },
  nullable<V>(schema: Schema<V>): Schema<V | null> {
    return as({ ...schema, type: [schema.type, 'null'] });
  },
  optional<V>(schema: Schema<V>): Optional<V> {
    return { ...schema, [OPTIONAL]: true } as Optional<V>;
  },
  /** For the OpenAPI document only (answers are not validated). */
  any(description: string): Schema<unknown> {
    return as({ description });
  },
};

const CONTROL = /[\x00-\x1f\x7f]/;
const CONTROL_MULTILINE = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/;
const patterns = new Map<string, RegExp>();

function describe(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v;
}

function typesOf(schema: JsonSchema): readonly unknown[] {
  const t = schema.type;
  return Array.isArray(t) ? t : [t];
}

/**
 * Validates `value` against `schema`; `path` names the field in errors (`license.total`,
 * `users[3]`). With `coerce` (query strings), "12" and "true" become 12 and true.
 * Returns a fresh value holding only declared fields.
 */
export function check(schema: JsonSchema, value: unknown, path: string, coerce = false): unknown {
  const types = typesOf(schema);
  const at = path === '' ? 'body' : path;
  if (value === null && types.includes('null')) return null;
  const type = types.find((t) => t !== 'null');
  switch (type) {
    case 'string': {
      const en = schema.enum as readonly string[] | undefined;
      if (typeof value !== 'string') throw invalid(at, en ? en.join('|') : `a string, not ${describe(value)}`);
      if (en !== undefined) {
        if (!en.includes(value)) throw invalid(at, en.join('|'));
        return value;
      }
      const min = schema.minLength as number;
      const max = schema.maxLength as number;
      if (value.length < min || value.length > max) throw invalid(at, `a string of ${min}–${max} characters`);
      if ((schema['x-multiline'] === true ? CONTROL_MULTILINE : CONTROL).test(value)) throw invalid(at, 'a string without control characters');
      const p = schema.pattern as string | undefined;
      if (p !== undefined) {
        let re = patterns.get(p);
        if (re === undefined) patterns.set(p, (re = new RegExp(p, 'u')));
        if (!re.test(value)) throw invalid(at, `a string matching ${p}`);
      }
      if (schema.format === 'date-time' && (Number.isNaN(Date.parse(value)) || !/^\d{4}-\d{2}-\d{2}/.test(value))) {
        throw invalid(at, 'a date or time in ISO 8601 (2026-01-31 or 2026-01-31T12:00:00Z)');
      }
      return value;
    }
    case 'integer': {
      const n = coerce && typeof value === 'string' && /^-?\d{1,16}$/.test(value) ? Number(value) : value;
      const [min, max] = [schema.minimum as number, schema.maximum as number];
      if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < min || n > max) throw invalid(at, `an integer from ${min} to ${max}`);
      return n;
    }
    case 'boolean': {
      const b = coerce && (value === 'true' || value === 'false') ? value === 'true' : value;
      if (typeof b !== 'boolean') throw invalid(at, 'true or false');
      return b;
    }
    case 'array': {
      if (!Array.isArray(value)) throw invalid(at, `an array, not ${describe(value)}`);
      const [min, max] = [schema.minItems as number, schema.maxItems as number];
      if (value.length < min || value.length > max) throw invalid(at, `${min}–${max} items`);
      return value.map((item, i) => check(schema.items as JsonSchema, item, `${path}[${i}]`, coerce));
    }
    case 'object': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(at, `an object, not ${describe(value)}`);
      const props = schema.properties as Record<string, JsonSchema>;
      const rec = value as Record<string, unknown>;
      const name = (k: string): string => (path === '' ? k : `${path}.${k}`);
      for (const k of Object.keys(rec)) {
        if (!Object.hasOwn(props, k)) {
          throw new ApiError('EASGATE_ERR_API_UNKNOWN_FIELD', `${name(k)}: no such field (known: ${Object.keys(props).join(', ') || 'none'})`, name(k));
        }
      }
      const out: Record<string, unknown> = {};
      for (const [k, sub] of Object.entries(props)) {
        const v = rec[k];
        if (v === undefined) {
          if ((schema.required as readonly string[]).includes(k)) throw invalid(name(k), 'a value (the field is required)');
          continue;
        }
        if (coerce && Array.isArray(v) && !typesOf(sub).includes('array')) throw invalid(name(k), 'one value (the field is given more than once)');
        out[k] = check(sub, v, name(k), coerce);
      }
      return out;
    }
    default:
      return value;
  }
}

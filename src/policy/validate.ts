import { PolicyError } from './errors.js';
import { licenseEndMs } from './license.js';

/**
 * A few combinators for validating JSON by hand: each check returns the typed value or
 * throws a PolicyError whose message starts with the path of the bad field. Objects refuse
 * fields they do not declare. (Small enough not to earn a schema library.)
 */
export type Check<T> = (value: unknown, path: string) => T;

export function fail(path: string, expected: string): never {
  throw new PolicyError('EASGATE_ERR_POLICY_FILE_INVALID', `${path}: expected ${expected}`, { path });
}

function describe(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

export function str(opts: { min?: number; max?: number; pattern?: RegExp; what?: string; multiline?: boolean } = {}): Check<string> {
  const min = opts.min ?? 0;
  const max = opts.max ?? 256;
  return (v, path) => {
    if (typeof v !== 'string') fail(path, `${opts.what ?? 'a string'}, not ${describe(v)}`);
    if (v.length < min || v.length > max) fail(path, `${opts.what ?? 'a string'} of ${min}–${max} characters`);
    const control = opts.multiline === true ? /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/ : /[\x00-\x1f\x7f]/;
    if (control.test(v)) fail(path, 'a string without control characters');
    if (opts.pattern !== undefined && !opts.pattern.test(v)) fail(path, opts.what ?? `a string matching ${opts.pattern}`);
    return v;
  };
}

export const bool: Check<boolean> = (v, path) => (typeof v === 'boolean' ? v : fail(path, `true or false, not ${describe(v)}`));

export function int(min: number, max: number): Check<number> {
  return (v, path) =>
    typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? v : fail(path, `an integer from ${min} to ${max}`);
}

export function oneOf<const T extends string>(values: readonly T[]): Check<T> {
  return (v, path) => ((values as readonly unknown[]).includes(v) ? (v as T) : fail(path, values.join('|')));
}

/** `YYYY-MM-DD` or a full ISO 8601 time. */
export const dateString: Check<string> = (v, path) => {
  const s = str({ max: 40, what: 'a date (YYYY-MM-DD or ISO 8601)' })(v, path);
  return Number.isNaN(licenseEndMs({ total: 0, expiresAt: s })) || !/^\d{4}-\d{2}-\d{2}/.test(s)
    ? fail(path, 'a date (YYYY-MM-DD or ISO 8601)')
    : s;
};

export function arrayOf<T>(item: Check<T>, maxItems: number): Check<T[]> {
  return (v, path) => {
    if (!Array.isArray(v)) fail(path, `an array, not ${describe(v)}`);
    if (v.length > maxItems) fail(path, `at most ${maxItems} items`);
    return v.map((x, i) => item(x, `${path}[${i}]`));
  };
}

type Field<T> = { check: Check<T>; optional?: false } | { check: Check<T>; optional: true };
type Shape = Record<string, Field<unknown>>;
type Out<S extends Shape> = { [K in keyof S as S[K]['optional'] extends true ? never : K]: ReturnType<S[K]['check']> } & {
  [K in keyof S as S[K]['optional'] extends true ? K : never]?: ReturnType<S[K]['check']>;
};

export function req<T>(check: Check<T>): Field<T> {
  return { check };
}

export function opt<T>(check: Check<T>): Field<T> {
  return { check, optional: true };
}

export function object<S extends Shape>(shape: S): Check<Out<S>> {
  return (v, path) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(path || '(root)', `an object, not ${describe(v)}`);
    const rec = v as Record<string, unknown>;
    const at = (k: string): string => (path === '' ? k : `${path}.${k}`);
    for (const k of Object.keys(rec)) {
      if (!Object.hasOwn(shape, k)) fail(at(k), `no such field (known: ${Object.keys(shape).join(', ')})`);
    }
    const out: Record<string, unknown> = {};
    for (const [k, field] of Object.entries(shape)) {
      if (rec[k] === undefined) {
        if (field.optional !== true) fail(at(k), 'a value (the field is required)');
        continue;
      }
      out[k] = field.check(rec[k], at(k));
    }
    return out as Out<S>;
  };
}

/** Refuses a second item with the same key. */
export function unique<T>(items: readonly T[], path: string, field: string, key: (t: T) => string): void {
  const seen = new Map<string, number>();
  items.forEach((item, i) => {
    const k = key(item);
    const first = seen.get(k);
    if (first !== undefined) fail(`${path}[${i}].${field}`, `a value not used before (same as ${path}[${first}])`);
    seen.set(k, i);
  });
}

import { parseArgs } from 'node:util';
import { UsageError } from './client.js';

/** Argument parsing of the admin verbs (node:util parseArgs, with positionals). */
export type Options = Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }>;

export interface Parsed {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

export function parse(args: readonly string[], options: Options): Parsed {
  try {
    const { values, positionals } = parseArgs({ args: [...args], options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
    return { values: values as Parsed['values'], positionals };
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

export function str(p: Parsed, name: string): string | undefined {
  const v = p.values[name];
  return typeof v === 'string' ? v : undefined;
}

export function flag(p: Parsed, name: string): boolean {
  return p.values[name] === true;
}

export function boolOption(p: Parsed, name: string): boolean | undefined {
  const v = str(p, name);
  if (v === undefined) return undefined;
  if (v !== 'true' && v !== 'false') throw new UsageError(`--${name} takes true or false`);
  return v === 'true';
}

/** A comma-separated list ('' is the empty list). */
export function list(p: Parsed, name: string): string[] | undefined {
  const v = str(p, name);
  return v === undefined ? undefined : v.split(',').map((x) => x.trim()).filter((x) => x !== '');
}

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `30d`, `12h`, `90m`, `2w` before now, or an ISO 8601 date or time, as an ISO time. */
export function timeArg(value: string, now: number, name: string): string {
  const m = /^(\d{1,6})([mhdw])$/.exec(value);
  if (m !== null) return new Date(now - Number(m[1]) * UNITS[m[2]!]!).toISOString();
  if (/^\d{4}-\d{2}-\d{2}/.test(value) && !Number.isNaN(Date.parse(value))) return value;
  throw new UsageError(`--${name} takes a duration before now (30d, 12h, 90m, 2w) or an ISO 8601 date or time`);
}

export function positional(p: Parsed, i: number, what: string): string {
  const v = p.positionals[i];
  if (v === undefined) throw new UsageError(`missing ${what}`);
  return v;
}

/** `--reason TEXT` as the body field the admin API keeps in the audit entry (nothing when not given). */
export function reasonOf(p: Parsed): { reason?: string } {
  const r = str(p, 'reason');
  return r === undefined ? {} : { reason: r };
}

/** Output of the admin verbs: aligned tables, key/value blocks, JSON. */
type Out = { write(chunk: string): unknown };

export function json(out: Out, value: unknown): void {
  out.write(`${JSON.stringify(value, null, 2)}\n`);
}

function cell(v: unknown): string {
  if (v === undefined || v === null) return '';
  const s = typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return s.replace(/[\x00-\x1f\x7f]/g, ' ');
}

/** Columns as wide as their widest cell (at most `max`, longer cells end in …). */
export function table(out: Out, headers: readonly string[], rows: readonly (readonly unknown[])[], max = 40): void {
  const text = rows.map((r) => r.map((v) => {
    const s = cell(v);
    return s.length > max ? `${s.slice(0, max - 1)}…` : s;
  }));
  const widths = headers.map((h, i) => Math.max(h.length, ...text.map((r) => r[i]?.length ?? 0)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  out.write(`${line(headers)}\n`);
  for (const r of text) out.write(`${line(r)}\n`);
}

/** `key: value` lines, keys aligned. */
export function fields(out: Out, record: Record<string, unknown>): void {
  const keys = Object.keys(record).filter((k) => record[k] !== undefined);
  const w = Math.max(0, ...keys.map((k) => k.length));
  for (const k of keys) out.write(`${`${k}:`.padEnd(w + 2)}${cell(record[k])}\n`);
}

/** Epoch milliseconds as `2026-01-31 12:00:00Z` (empty when unset). */
export function time(ms: unknown): string {
  return typeof ms === 'number' ? new Date(ms).toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, 'Z') : '';
}

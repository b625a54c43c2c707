/**
 * A transcript as text for people: one line per HTTP exchange. Holds no credentials (the
 * transcript never contains any).
 */
import type { Transcript, TranscriptStep } from './types.js';

function value(v: unknown): string {
  if (Array.isArray(v)) return v.length === 0 ? '[]' : v.map(value).join(', ');
  if (typeof v === 'object' && v !== null) {
    return `{${Object.entries(v).filter(([, x]) => x !== undefined).map(([k, x]) => `${k} ${value(x)}`).join(', ')}}`;
  }
  return String(v);
}

function line(n: number, s: TranscriptStep): string {
  const status = `HTTP ${s.httpStatus}${s.easStatus === undefined ? '' : ` Status ${s.easStatus}`}`;
  const facts = Object.entries({ ...s.facts, ...s.volatile })
    .filter(([k]) => k !== 'ms')
    .map(([k, v]) => `${k}: ${value(v)}`)
    .join('; ');
  return `${String(n).padStart(3)}. ${s.step.padEnd(26)} ${status.padEnd(20)} ${String(s.volatile.ms ?? '').padStart(5)} ms  ${facts}`;
}

export function formatTranscript(t: Transcript, url: string): string {
  const head = `device ${t.deviceId} (${t.deviceType}), EAS ${t.protocolVersion}, ${t.queryEncoding} query → ${url}`;
  const body = t.steps.map((s, i) => line(i + 1, s));
  const tail = t.ok ? 'result: ok' : `result: stopped: ${t.stoppedBecause ?? 'unknown'}`;
  return [head, ...body, tail, ''].join('\n');
}

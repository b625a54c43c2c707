import type { SyncState } from './sync-state.js';

/** A run: a differential or full push (each with a pull), or a pull of device records and actions only. */
export type SyncKind = 'diff' | 'full' | 'pull';

/** What one run did. */
export interface SyncReport {
  ran: boolean;
  /** Why it did not run. */
  reason?: string;
  kind: SyncKind;
  batches: number;
  pushed: number;
  /** Deletions pushed (absent: none). */
  deleted?: number;
  links: Partial<Record<'linked' | 'unlinked' | 'unchanged' | 'unmatched', number>>;
  actions: Partial<Record<'applied' | 'unknown-device' | 'refused', number>>;
  error?: { code: string; message: string };
}

/** GET /api/v1/sync/status, `easgate sync status`. Times in ms since the epoch. */
export interface SyncStatus {
  leader: boolean;
  running: SyncKind | null;
  lastSuccessAt: number | null;
  lastDiffAt: number | null;
  lastFullAt: number | null;
  cursor: { changes: number; devices: string | null; actions: string | null };
  /** Changes not pushed yet, and time since the last success. */
  lag: { changes: number; ms: number | null };
  failures: number;
  lastError: { at: number; code: string; message: string } | null;
  fullInProgress: { batches: number; startedAt: number } | null;
  lastPullAt: number | null;
  nextRun: { diff: number; full: number; pull: number };
}

export function statusOf(
  s: SyncState,
  c: { now: number; changeNumber: number; leader: boolean; running: SyncKind | null; diffIntervalMs: number; fullIntervalMs: number; pullIntervalMs: number },
): SyncStatus {
  const lastPush = s.lastDiffAt ?? s.lastFullAt;
  return {
    leader: c.leader,
    running: c.running,
    lastSuccessAt: s.lastSuccessAt ?? null,
    lastDiffAt: s.lastDiffAt ?? null,
    lastFullAt: s.lastFullAt ?? null,
    cursor: { changes: s.changeCursor, devices: s.devicesCursor ?? null, actions: s.actionsCursor ?? null },
    lag: { changes: Math.max(0, c.changeNumber - s.changeCursor), ms: s.lastSuccessAt === undefined ? null : c.now - s.lastSuccessAt },
    failures: s.failures,
    lastError: s.lastError ?? null,
    fullInProgress: s.full === undefined ? null : { batches: s.full.batches, startedAt: s.full.startedAt },
    lastPullAt: s.lastPullAt ?? null,
    nextRun: {
      diff: s.failures > 0 || lastPush === undefined ? c.now : lastPush + c.diffIntervalMs,
      full: s.full !== undefined || s.lastFullAt === undefined ? c.now : s.lastFullAt + c.fullIntervalMs,
      pull: (s.lastPullAt ?? s.lastSuccessAt ?? c.now) + c.pullIntervalMs,
    },
  };
}

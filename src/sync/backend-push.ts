import type { Association } from '../policy/index.js';
import type { Store } from '../store/index.js';
import { BACKEND_FIELDS, type BackendAssociation, type BackendDeletion } from './backend/index.js';
import type { SyncState } from './sync-state.js';

const LAST_SYNC: ReadonlySet<string> = new Set(['lastSyncAttemptAt', 'lastSuccessSyncAt']);

/** An association as the backend receives it; last-sync times only in a full sync. */
export function toBackend(a: Association, full: boolean): BackendAssociation {
  const out: BackendAssociation = { user: a.user, deviceId: a.deviceId, accessState: a.accessState, accessReason: a.accessReason, firstSyncAt: a.firstSyncAt };
  for (const k of BACKEND_FIELDS) {
    if (a[k] !== undefined && (full || !LAST_SYNC.has(k))) (out as Record<string, unknown>)[k] = a[k];
  }
  return out;
}

/** One batch to push and what the state becomes once the backend accepted it. */
export interface PlannedBatch {
  batchId: string;
  full: boolean;
  associations: BackendAssociation[];
  /** Associations deleted from the gateway (differential only). */
  deleted?: BackendDeletion[];
  next: SyncState;
}

/**
 * The next differential batch: associations whose change number is past the cursor. The
 * batch id names the range of change numbers, so a retry, by this replica or the next
 * leader, repeats it.
 */
export async function nextDiffBatch(store: Store, state: SyncState, size: number): Promise<PlannedBatch | undefined> {
  const page = await store.changedAssociations(state.changeCursor, size);
  if (page.last === state.changeCursor) return undefined;
  return {
    batchId: `diff-${state.changeCursor}-${page.last}`,
    full: false,
    associations: page.items.map((a) => toBackend(a, false)),
    next: { ...state, changeCursor: page.last },
  };
}

/**
 * The next batch of deletions: associations deleted (an admin's delete or purge) after the
 * deletion cursor, which a full sync does not move (a full sync pushes what exists, not what
 * was removed). The id names the range; once the backend has it, the store forgets it.
 */
export async function nextDeletionBatch(store: Store, state: SyncState, size: number): Promise<PlannedBatch | undefined> {
  const after = state.deletedCursor ?? 0;
  const page = await store.deletedAssociations(after, size);
  if (page.items.length === 0) return undefined;
  return {
    batchId: `gone-${after}-${page.last}`,
    full: false,
    associations: [],
    deleted: page.items.map((d) => ({ user: d.user, deviceId: d.deviceId })),
    next: { ...state, deletedCursor: page.last },
  };
}

/**
 * The next batch of a full sync (every association in first-sync order), from where the
 * stored run stopped; undefined when the run is complete. Once complete, the change cursor
 * moves to the change number seen when the run started (later changes follow in a diff).
 */
export async function nextFullBatch(store: Store, state: SyncState, size: number, now: number): Promise<PlannedBatch | undefined> {
  const run = state.full;
  if (run === undefined) return undefined;
  const page = await store.queryAssociations({ index: 'firstSync', limit: size, ...(run.cursor !== undefined ? { cursor: run.cursor } : {}) });
  if (page.items.length === 0) return undefined;
  const following = page.nextCursor === null ? undefined : { ...run, cursor: page.nextCursor, batches: run.batches + 1 };
  return {
    batchId: `full-${run.runId}-${run.batches + 1}`,
    full: true,
    associations: page.items.map((a) => toBackend(a, true)),
    next: following === undefined ? finishFull(state, now) : { ...state, full: following },
  };
}

export function finishFull(state: SyncState, now: number): SyncState {
  const { full, ...rest } = state;
  return { ...rest, changeCursor: Math.max(state.changeCursor, full?.snapshot ?? 0), lastFullAt: now };
}

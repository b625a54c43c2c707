/** What the backend sync keeps across runs and replicas (SyncCoordinator.load/save). */
export interface SyncState {
  /** The change number (Store.changeNumber) of the last change the backend accepted. */
  changeCursor: number;
  /** The deletion number (Store.deletedAssociations) of the last deletion the backend accepted. */
  deletedCursor?: number;
  devicesCursor?: string;
  actionsCursor?: string;
  lastSuccessAt?: number;
  lastDiffAt?: number;
  lastFullAt?: number;
  /** The last run that pulled device records and actions (every run does). */
  lastPullAt?: number;
  /** A full sync in progress: resumed by the next run (of any replica) with the same batch ids. */
  full?: { runId: string; cursor?: string; batches: number; snapshot: number; startedAt: number };
  /** Runs that failed in a row, and the last failure. */
  failures: number;
  lastError?: { at: number; code: string; message: string };
}

export function parseState(json: string | undefined): SyncState {
  if (json === undefined) return { changeCursor: 0, failures: 0 };
  const s = JSON.parse(json) as Partial<SyncState>;
  return { ...s, changeCursor: typeof s.changeCursor === 'number' ? s.changeCursor : 0, failures: typeof s.failures === 'number' ? s.failures : 0 };
}

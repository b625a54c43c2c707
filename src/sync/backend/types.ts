import type { AccessReason, AccessState, WipeStatus } from '../../policy/index.js';

/**
 * The management backend's side of the sync, as easgate sees it (docs/backend-api.yaml):
 * push associations in batches, pull registered devices and pending actions with a cursor.
 */

/** One association as pushed to the backend. */
export interface BackendAssociation {
  user: string;
  deviceId: string;
  deviceType?: string;
  model?: string;
  imei?: string;
  os?: string;
  userAgent?: string;
  friendlyName?: string;
  protocolVersion?: string;
  accessState: AccessState;
  accessReason: AccessReason;
  firstSyncAt: number;
  /** Sent by a full sync only: a differential sync does not push last-sync times. */
  lastSyncAttemptAt?: number;
  lastSuccessSyncAt?: number;
  comment?: string;
  backendDeviceId?: string;
  linkedAt?: number;
  wipeStatus?: WipeStatus;
  wipeRequestedAt?: number;
}

/** One push; a repeated batchId (a retry) is accepted and ignored by the backend. */
export interface AssociationBatch {
  batchId: string;
  full: boolean;
  associations: BackendAssociation[];
}

/** A device record of the backend. */
export interface BackendDevice {
  backendDeviceId: string;
  deviceId?: string;
  user?: string;
  imei?: string;
  registered: boolean;
}

export const BACKEND_ACTIONS = ['allow', 'block', 'wipe', 'cancel-wipe'] as const;
export type BackendActionKind = (typeof BACKEND_ACTIONS)[number];

/** An action an admin of the backend asked for. */
export interface BackendAction {
  id: string;
  action: BackendActionKind;
  user: string;
  deviceId: string;
}

/** A page; `nextCursor` is where the next pull starts (null: the backend keeps the cursor given). */
export interface BackendPage<T> {
  items: T[];
  nextCursor: string | null;
}

/** One connector per kind of backend; the first speaks HTTP + JSON (http-connector.ts). */
export interface BackendConnector {
  /** Resolves once the backend stored the batch; throws BackendError otherwise. */
  pushBatch(batch: AssociationBatch): Promise<void>;
  /** Device records changed after `cursor` (all of them without one). */
  devices(cursor?: string): Promise<BackendPage<BackendDevice>>;
  /** Actions after `cursor`. */
  actions(cursor?: string): Promise<BackendPage<BackendAction>>;
  close(): Promise<void>;
}

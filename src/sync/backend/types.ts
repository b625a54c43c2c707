import type { Association } from '../../policy/index.js';

/**
 * The management backend's side of the sync, as easgate sees it (docs/backend-api.yaml):
 * push associations in batches, pull registered devices and pending actions with a cursor.
 */

/** The optional fields of an association that the backend receives (last-sync times in full syncs only). */
export const BACKEND_FIELDS = [
  'deviceType',
  'model',
  'imei',
  'os',
  'userAgent',
  'friendlyName',
  'protocolVersion',
  'comment',
  'backendDeviceId',
  'linkedAt',
  'replacedBy',
  'replaces',
  'wipeStatus',
  'wipeRequestedAt',
  'lastSyncAttemptAt',
  'lastSuccessSyncAt',
] as const satisfies readonly (keyof Association)[];

/** One association as pushed to the backend. */
export type BackendAssociation = Pick<Association, 'user' | 'deviceId' | 'accessState' | 'accessReason' | 'firstSyncAt'> &
  Partial<Pick<Association, (typeof BACKEND_FIELDS)[number]>>;

/** An association the gateway deleted; `deviceId` as the gateway keys it (lower case). */
export interface BackendDeletion {
  user: string;
  deviceId: string;
}

/** One push; a repeated batchId (a retry) is accepted and ignored by the backend. */
export interface AssociationBatch {
  batchId: string;
  full: boolean;
  associations: BackendAssociation[];
  /** Associations deleted from the gateway since the last deletion the backend accepted. */
  deleted?: BackendDeletion[];
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

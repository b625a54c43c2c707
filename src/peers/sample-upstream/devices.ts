/**
 * Per-device server state of the sample upstream: policy keys, FolderSync and Sync keys,
 * cached Ping and Sync parameters, and the DeviceInformation the device reported.
 */
export interface CollectionState {
  key: number;
  /** ServerIds already sent to the device. */
  readonly sent: Set<string>;
}

export interface PingFolder {
  id: string;
  cls: string;
}

export interface SyncCollectionRequest {
  collectionId: string;
  syncKey: string;
  getChanges: boolean;
  windowSize: number | undefined;
  bodyType: number;
  truncationSize: number | undefined;
  /** The collection carried client Commands (they advance the key even with no server change). */
  hasClientCommands: boolean;
}

/** A parsed Sync request; the last one is cached for empty Sync bodies ([MS-ASCMD] 2.2.1.21). */
export interface SyncRequest {
  collections: SyncCollectionRequest[];
  /** Minutes ([MS-ASCMD] 2.2.3.198). */
  wait: number | undefined;
  /** Seconds ([MS-ASCMD] 2.2.3.88.2). */
  heartbeat: number | undefined;
  windowSize: number | undefined;
}

export interface DeviceState {
  readonly user: string;
  readonly deviceId: string;
  deviceType: string;
  /** The final key once provisioning completed. */
  policyKey: string | undefined;
  /** The temporary key handed out by the initial Provision, until acknowledged. */
  pendingPolicyKey: string | undefined;
  folderSyncKey: number;
  readonly collections: Map<string, CollectionState>;
  pingCache: { heartbeat: number; folders: PingFolder[] } | undefined;
  syncCache: SyncRequest | undefined;
  deviceInformation: Record<string, string> | undefined;
  /** Ends the Ping this device holds now, if any (a newer Ping replaces it). */
  endHeldPing: (() => void) | undefined;
}

export class DeviceRegistry {
  private readonly devices = new Map<string, DeviceState>();

  /** Devices are keyed by user and lowercase device ID, as Z-Push/grommunio do (docs/protocol.md 1.2). */
  static key(user: string, deviceId: string): string {
    return `${user.toLowerCase()}/${deviceId.toLowerCase()}`;
  }

  get(user: string, deviceId: string): DeviceState | undefined {
    return this.devices.get(DeviceRegistry.key(user, deviceId));
  }

  obtain(user: string, deviceId: string, deviceType: string): DeviceState {
    const key = DeviceRegistry.key(user, deviceId);
    let d = this.devices.get(key);
    if (d === undefined) {
      d = {
        user,
        deviceId: deviceId.toLowerCase(),
        deviceType,
        policyKey: undefined,
        pendingPolicyKey: undefined,
        folderSyncKey: 0,
        collections: new Map(),
        pingCache: undefined,
        syncCache: undefined,
        deviceInformation: undefined,
        endHeldPing: undefined,
      };
      this.devices.set(key, d);
    }
    d.deviceType = deviceType;
    return d;
  }

  all(): DeviceState[] {
    return [...this.devices.values()];
  }

  reset(): void {
    for (const d of this.devices.values()) d.endHeldPing?.();
    this.devices.clear();
  }
}

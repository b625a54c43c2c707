import type { ServerResponse } from 'node:http';
import type { DeviceRequest } from '../eas/device-request.js';
/** Whoever will answer a held request: the upstream (ForwardHandler) or the gateway itself. */
export interface HeldAnswer {
  /** True once response headers went to the device. */
  readonly responseStarted: boolean;
  /** The gateway answers instead: whatever was going to answer is cancelled. */
  detach(reason: Error): void;
}

/** A long-poll request (Ping, Sync) waiting for its answer. */
export interface HeldRequest {
  readonly request: DeviceRequest;
  readonly res: ServerResponse;
  readonly handler: HeldAnswer;
  /** Held by the gateway's quarantine mailbox rather than by the upstream. */
  readonly quarantine?: boolean;
}

/**
 * The long polls in flight, so that the gateway can end them itself: on a graceful stop
 * (answer each so the device simply reconnects) and, later, when an admin's action must
 * reach a device that sits in a held Ping.
 */
export class LongPolls {
  private readonly held = new Set<HeldRequest>();
  /** The same requests by lower-cased device ID, to find one device's held Ping fast. */
  private readonly byKey = new Map<string, Set<HeldRequest>>();

  add(entry: HeldRequest): () => void {
    this.held.add(entry);
    const key = entry.request.deviceId?.toLowerCase();
    if (key !== undefined) {
      let set = this.byKey.get(key);
      if (set === undefined) this.byKey.set(key, (set = new Set()));
      set.add(entry);
    }
    return () => {
      this.held.delete(entry);
      if (key === undefined) return;
      const set = this.byKey.get(key);
      set?.delete(entry);
      if (set?.size === 0) this.byKey.delete(key);
    };
  }

  /** The held requests of one device (any user), whose answer has not started. */
  *waitingFor(deviceKey: string): IterableIterator<HeldRequest> {
    for (const h of this.byKey.get(deviceKey) ?? []) if (!h.handler.responseStarted && !h.res.headersSent) yield h;
  }

  get size(): number {
    return this.held.size;
  }

  /** The held requests whose answer has not started yet (those the gateway may still answer). */
  *waiting(): IterableIterator<HeldRequest> {
    for (const h of this.held) if (!h.handler.responseStarted && !h.res.headersSent) yield h;
  }
}

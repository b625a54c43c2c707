/**
 * Holding a long poll (Ping, Sync with Wait/HeartbeatInterval) until a delivery reaches a
 * watched folder, the interval ends, the client leaves, or a newer long poll of the same
 * device replaces it.
 */
import type { EasContext } from '../context.js';

export type WaitResult = 'changed' | 'timeout' | 'aborted' | 'replaced';

export interface WaitOutcome {
  result: WaitResult;
  /** The folder whose delivery ended the wait ('changed' only). */
  folderId: string | undefined;
}

export function waitForChange(ctx: EasContext, folders: ReadonlySet<string>, seconds: number): Promise<WaitOutcome> {
  // A newer long poll of this device ends the one it holds now.
  ctx.device.endHeldPing?.();
  return new Promise((resolve) => {
    let done = false;
    const finish = (result: WaitResult, folderId?: string): void => {
      if (done) return;
      done = true;
      ctx.control.hold(-1);
      clearTimeout(timer);
      unwatch();
      ctx.signal.removeEventListener('abort', onAbort);
      if (ctx.device.endHeldPing === replace) ctx.device.endHeldPing = undefined;
      resolve({ result, folderId });
    };
    const onAbort = (): void => finish('aborted');
    const replace = (): void => finish('replaced');
    ctx.control.hold(1);
    const timer = setTimeout(() => finish('timeout'), seconds * 1000);
    const unwatch = ctx.mailbox.watch((folderId) => {
      if (folders.has(folderId)) finish('changed', folderId);
    });
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    ctx.device.endHeldPing = replace;
    if (ctx.signal.aborted) finish('aborted');
  });
}

/** The folders of `ids` holding mail the device has not been sent yet (synced folders only). */
export function foldersWithChanges(ctx: EasContext, ids: Iterable<string>): string[] {
  const out: string[] = [];
  for (const id of ids) {
    const state = ctx.device.collections.get(id);
    if (state === undefined) continue;
    if (ctx.mailbox.list(id).some((m) => !state.sent.has(m.serverId))) out.push(id);
  }
  return out;
}

import { describe, expect, it } from 'vitest';
import { assoc, useBackendSync } from './backend-sync-fixture.js';

describe('the backend sync links devices and applies actions', () => {
  const t = useBackendSync();

  it('links registered devices by device ID (any case) or user plus IMEI, and unlinks unregistered ones', async () => {
    const backend = await t.backend();
    const sync = t.engine(backend);
    await sync.store.createAssociation(assoc('a@x.test', 'AbC1'));
    await sync.store.createAssociation(assoc('b@x.test', 'SAMSUNG2', { imei: '3567' }));
    await sync.store.createAssociation(assoc('c@x.test', 'OTHER'));
    backend.putDevice({ backendDeviceId: 'mdm-1', deviceId: 'abc1', user: 'A@x.test', registered: true });
    backend.putDevice({ backendDeviceId: 'mdm-2', user: 'b@x.test', imei: '3567', registered: true });
    backend.putDevice({ backendDeviceId: 'mdm-9', deviceId: 'NOWHERE', registered: true });

    expect((await sync.run()).links).toEqual({ linked: 2, unmatched: 1 });
    expect(await sync.store.getAssociation('a@x.test', 'abc1')).toMatchObject({ backendDeviceId: 'mdm-1' });
    expect((await sync.store.getAssociation('a@x.test', 'abc1'))?.linkedAt).toBeGreaterThan(0);
    expect(await sync.store.getAssociation('b@x.test', 'samsung2')).toMatchObject({ backendDeviceId: 'mdm-2' });
    expect((await sync.store.getAssociation('c@x.test', 'other'))?.backendDeviceId).toBeUndefined();
    expect((await sync.status()).cursor.devices).toBe('3');

    // The link is a change: the next differential pushes it.
    const linked = await sync.run();
    expect(linked.links).toEqual({});
    expect(backend.association('a@x.test', 'abc1')).toMatchObject({ backendDeviceId: 'mdm-1' });

    backend.putDevice({ backendDeviceId: 'mdm-1', deviceId: 'ABC1', registered: false });
    expect((await sync.run()).links).toEqual({ unlinked: 1 });
    const a = await sync.store.getAssociation('a@x.test', 'abc1');
    expect([a?.backendDeviceId, a?.linkedAt]).toEqual([undefined, undefined]);
  });

  it('applies block, allow and wipe through the store, audited with the backend as the actor', async () => {
    const backend = await t.backend();
    const sync = t.engine(backend);
    await sync.store.createAssociation(assoc('a@x.test', 'D1'));
    await sync.store.createAssociation(assoc('a@x.test', 'D2'));
    backend.addAction({ action: 'block', user: 'A@x.test', deviceId: 'd1' });
    backend.addAction({ action: 'wipe', user: 'a@x.test', deviceId: 'D2' });
    backend.addAction({ action: 'allow', user: 'nobody@x.test', deviceId: 'D9' });

    expect((await sync.run()).actions).toEqual({ applied: 2, 'unknown-device': 1 });
    expect(await sync.store.getAssociation('a@x.test', 'd1')).toMatchObject({ accessState: 'Blocked', accessReason: 'Individual' });
    expect((await sync.store.getMailbox('a@x.test'))?.blockedDeviceIds).toEqual(['D1']);
    expect((await sync.store.getAssociationHistory('a@x.test', 'D1'))[0]).toMatchObject({ state: 'Blocked', actor: 'backend' });
    expect(await sync.store.getAssociation('a@x.test', 'D2')).toMatchObject({ wipeStatus: 'WipePending', wipeRequestedBy: 'backend' });
    const audit = (await sync.store.queryAudit({ actor: 'backend' })).items;
    expect(audit.map((e) => e.action).sort()).toEqual(['association.block', 'association.wipe']);
    expect(audit.every((e) => e.source?.startsWith('backend-action:'))).toBe(true);

    // Actions are pulled once: the cursor moved past them.
    backend.addAction({ action: 'cancel-wipe', user: 'a@x.test', deviceId: 'D2' });
    backend.addAction({ action: 'allow', user: 'a@x.test', deviceId: 'D1' });
    expect((await sync.run()).actions).toEqual({ applied: 2 });
    expect((await sync.store.getAssociation('a@x.test', 'D2'))?.wipeStatus).toBeUndefined();
    expect(await sync.store.getAssociation('a@x.test', 'D1')).toMatchObject({ accessState: 'Allowed', accessReason: 'Individual' });
    expect(await sync.store.getMailbox('a@x.test')).toMatchObject({ allowedDeviceIds: ['D1'], blockedDeviceIds: [] });
  });

  it('pulls actions and device records between pushes, on its own interval, without pushing', async () => {
    const backend = await t.backend();
    // Checks every 100 ms (a third of the lease); a differential only every hour, a pull every 10 s.
    let now = Date.now();
    const sync = t.engine(backend, { leaseMs: 300, diffIntervalMs: 3_600_000, fullIntervalMs: 86_400_000, pullIntervalMs: 10_000, now: () => now });
    await sync.store.createAssociation(assoc('a@x.test', 'D1'));
    sync.start();
    const waitFor = async (cond: () => boolean | Promise<boolean>): Promise<void> => {
      for (let i = 0; i < 300 && !(await cond()); i++) await new Promise((r) => setTimeout(r, 10));
      expect(await cond()).toBe(true);
    };
    await waitFor(async () => (await sync.status()).lastFullAt !== null && (await sync.status()).running === null);
    const pushed = backend.received.length;

    backend.addAction({ action: 'wipe', user: 'a@x.test', deviceId: 'D1' });
    await sync.store.updateAssociation('a@x.test', 'D1', { comment: 'a change the next differential pushes' });
    now += 10_001;
    await waitFor(async () => (await sync.store.getAssociation('a@x.test', 'D1'))?.wipeStatus === 'WipePending');
    // The action is applied before the run stores its end: wait for that too.
    await waitFor(async () => (await sync.status()).lastPullAt === now && (await sync.status()).running === null);
    expect(backend.received.length).toBe(pushed); // pulled, not pushed
    const status = await sync.status();
    expect(status.lastPullAt).toBe(now);
    expect(status.nextRun.pull).toBe(now + 10_000);
    expect(status.lag.changes).toBeGreaterThan(0);
  });
});

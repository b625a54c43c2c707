import { describe, expect, it } from 'vitest';
import { device } from '../store/fixture.js';
import { useApi } from '../api/fixture.js';
import { easgate, envOf } from './run.js';

/** `easgate mailbox show|set`, `rules`, `org`, `domain`, `license`, `grandfather`, `purge`, `audit`. */
describe('policy and action verbs', () => {
  const t = useApi({ each: true });

  it('shows and sets a mailbox', async () => {
    const set = await easgate(['mailbox', 'set', 'Carol@x.test', '--enabled', 'false', '--replace-allowed', 'A1,A2', '--default-level', 'Block'], envOf(t.fx));
    expect(set.code).toBe(0);
    expect(set.stdout).toMatch(/user:\s+carol@x.test\n/);
    const show = JSON.parse((await easgate(['mailbox', 'show', 'carol@x.test', '--json'], envOf(t.fx, t.fx.tokens.viewer))).stdout);
    expect(show).toEqual({ user: 'carol@x.test', activeSyncEnabled: false, disabledReason: 'Admin', allowedDeviceIds: ['A1', 'A2'], blockedDeviceIds: [], defaultAccessLevel: 'Block' });
    await easgate(['mailbox', 'set', 'carol@x.test', '--default-level', 'none', '--replace-allowed', ''], envOf(t.fx));
    expect(await t.fx.store.getMailbox('carol@x.test')).toMatchObject({ allowedDeviceIds: [] });
    expect((await t.fx.store.getMailbox('carol@x.test'))?.defaultAccessLevel).toBeUndefined();
  });

  it('blocks, allows and unlists single device IDs without touching the others, moving an ID between the lists', async () => {
    await t.fx.store.putMailbox({ user: 'dan@x.test', activeSyncEnabled: true, allowedDeviceIds: ['A1', 'A2'], blockedDeviceIds: ['B1', 'B2'] });
    const block = await easgate(['mailbox', 'set', 'dan@x.test', '--block', 'X1', '--block', 'a1', '--reason', 'TICKET-7'], envOf(t.fx));
    expect(block.code, block.stderr).toBe(0);
    expect(await t.fx.store.getMailbox('dan@x.test')).toMatchObject({ allowedDeviceIds: ['A2'], blockedDeviceIds: ['B1', 'B2', 'X1', 'a1'] });
    await easgate(['mailbox', 'set', 'dan@x.test', '--unlist', 'B1', '--allow', 'b2'], envOf(t.fx));
    expect(await t.fx.store.getMailbox('dan@x.test')).toMatchObject({ allowedDeviceIds: ['A2', 'b2'], blockedDeviceIds: ['X1', 'a1'] });
    await easgate(['mailbox', 'set', 'dan@x.test', '--replace-blocked', 'A2'], envOf(t.fx));
    expect(await t.fx.store.getMailbox('dan@x.test')).toMatchObject({ allowedDeviceIds: ['b2'], blockedDeviceIds: ['A2'] });
    const old = await easgate(['mailbox', 'set', 'dan@x.test', '--blocked', 'Z9'], envOf(t.fx));
    expect([old.code, old.stderr]).toEqual([2, expect.stringContaining('--blocked would replace the whole list: use --block ID')]);
    expect((await t.fx.store.queryAudit({ object: 'mailbox:dan@x.test' })).items.at(-1)).toMatchObject({ reason: 'TICKET-7' });
  });

  it('lists, adds and removes rules; shows and sets the organisation; lists and sets domains; shows the license', async () => {
    const add = await easgate(['rules', 'add', '--characteristic', 'DeviceOS', '--query', 'iOS 12.0', '--level', 'Block'], envOf(t.fx));
    expect(add.stdout).toMatch(/id:\s+DeviceOS-iOS-12.0\n/);
    expect((await easgate(['rules', 'list'], envOf(t.fx))).stdout).toMatch(/^ID\s+CHARACTERISTIC\s+QUERY\s+LEVEL\nDeviceOS-iOS-12.0\s+DeviceOS\s+iOS 12.0\s+Block\n$/);
    expect((await easgate(['rules', 'add', '--query', 'x'], envOf(t.fx))).code).toBe(2);
    expect((await easgate(['rules', 'remove', 'DeviceOS-iOS-12.0'], envOf(t.fx))).stdout).toBe('removed\n');
    expect(JSON.parse((await easgate(['rules', 'list', '--json'], envOf(t.fx))).stdout)).toEqual([]);

    await easgate(['org', 'set', '--default-level', 'Quarantine', '--unregistered-level', 'Block', '--admin-mail', 'it@x.test,sec@x.test', '--user-mail-insert', 'Call 555'], envOf(t.fx));
    expect(JSON.parse((await easgate(['org', 'show', '--json'], envOf(t.fx))).stdout)).toEqual({
      defaultAccessLevel: 'Quarantine',
      unregisteredAccessLevel: 'Block',
      adminMailRecipients: ['it@x.test', 'sec@x.test'],
      userMailInsert: 'Call 555',
    });

    await t.fx.store.putMailbox({ user: 'a@one.test', activeSyncEnabled: true, allowedDeviceIds: [], blockedDeviceIds: [] });
    await easgate(['domain', 'set', 'two.test', '--enabled', 'false', '--default-level', 'Block'], envOf(t.fx));
    expect((await easgate(['domain', 'list'], envOf(t.fx))).stdout).toMatch(/^DOMAIN\s+ACTIVESYNC\s+DEFAULT LEVEL\s+USERS\none.test\s+on\s+1\ntwo.test\s+off\s+Block\s+0\n$/);

    await t.fx.store.putSystem({ activeSyncEnabled: true, license: { total: 0 } });
    const lic = await easgate(['license'], envOf(t.fx, t.fx.tokens.viewer));
    expect(lic.stdout).toMatch(/total:\s+0\nin use:\s+1\navailable:\s+0\nexpires:\s+never\n/);
    expect(lic.stdout).toContain('1 users have ActiveSync enabled but the license allows 0');
  });

  it('grandfathers (dry run first), purges and shows the audit log', async () => {
    const now = Date.now();
    await t.fx.store.createAssociation(device('a@x.test', 'A1', { firstSyncAt: now - 86_400_000 }));
    await t.fx.store.createAssociation(device('old@x.test', 'O1', { firstSyncAt: now - 400 * 86_400_000 }));
    const dry = await easgate(['grandfather', '--since', '30d', '--dry-run'], envOf(t.fx));
    expect(dry.stdout).toMatch(/a@x.test\s+A1\s+would-allow\n/);
    expect(dry.stdout).toContain('dry run: nothing changed; scanned 1, would-allow 1');
    expect((await easgate(['grandfather', '--since', '30d'], envOf(t.fx))).stdout).toContain('allowed 1');
    expect((await t.fx.store.getMailbox('a@x.test'))?.allowedDeviceIds).toEqual(['A1']);
    expect((await easgate(['grandfather'], envOf(t.fx))).code).toBe(2);
    const purge = JSON.parse((await easgate(['purge', '--older-than-days', '365', '--json'], envOf(t.fx))).stdout);
    expect(purge.counts).toEqual({ removed: 1 });
    expect((await easgate(['purge', '--state', 'Quarantined', '--older-than-days', 'ten'], envOf(t.fx))).code).toBe(2);
    const audit = await easgate(['audit', '--actor', 'admin-token'], envOf(t.fx, t.fx.tokens.viewer));
    expect(audit.stdout).toMatch(/^WHEN\s+WHO\s+WHAT\s+OBJECT\s+FROM\s+AFTER\n/);
    expect(audit.stdout).toMatch(/admin-token\s+association.purge\s+association:old@x.test\/o1\s+127.0.0.1/);
    expect(audit.stdout).toMatch(/admin-token\s+mailbox.grandfather\s+mailbox:a@x.test\s+127.0.0.1/);
    const json = JSON.parse((await easgate(['audit', '--type', 'mailbox', '--json'], envOf(t.fx))).stdout);
    expect(json.items).toHaveLength(1);
  });
});

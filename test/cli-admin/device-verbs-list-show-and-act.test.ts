import { beforeEach, describe, expect, it } from 'vitest';
import { device } from '../store/fixture.js';
import { useApi } from '../api/fixture.js';
import { easgate, envOf } from './run.js';

/** `easgate devices list` and `easgate device show|allow|block|remove|comment` against a real API. */
const NOW = Date.now();
const DAY = 86_400_000;

describe('device verbs', () => {
  const t = useApi({ each: true });
  beforeEach(async () => {
    // Alice's default level quarantines her devices: the state shown is the current policy's decision.
    await t.fx.store.putMailbox({ user: 'alice@x.test', activeSyncEnabled: true, allowedDeviceIds: [], blockedDeviceIds: [], defaultAccessLevel: 'Quarantine' });
    await t.fx.store.createAssociation(device('alice@x.test', 'APPL1', { model: 'iPhone15,2', os: 'iOS 17.1', firstSyncAt: NOW - 2 * DAY, accessState: 'Quarantined', accessReason: 'User' }));
    await t.fx.store.createAssociation(device('bob@x.test', 'ANDR1', { deviceType: 'Android', model: 'Pixel 8', firstSyncAt: NOW - 40 * DAY }));
  });

  it('lists as a table or JSON, with filters, a cursor and --all', async () => {
    const table = await easgate(['devices', 'list'], envOf(t.fx, t.fx.tokens.viewer));
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^USER\s+DEVICE ID\s+TYPE\s+MODEL\s+OS\s+STATE\s+REASON\s+WIPE\s+LAST SYNC$/);
    expect(lines[1]).toMatch(/^alice@x.test\s+APPL1\s+iPhone\s+iPhone15,2\s+iOS 17.1\s+Quarantined\s+User\s+none\s+\d{4}-\d\d-\d\d /);
    expect(lines).toHaveLength(3);
    const json = JSON.parse((await easgate(['devices', 'list', '--state', 'Quarantined', '--json'], envOf(t.fx))).stdout);
    expect(json.items.map((a: { deviceId: string }) => a.deviceId)).toEqual(['APPL1']);
    const recent = JSON.parse((await easgate(['devices', 'list', '--synced-after', '30d', '--json'], envOf(t.fx))).stdout);
    expect(recent.items).toHaveLength(1);
    const found = JSON.parse((await easgate(['devices', 'list', '--q', 'pix', '--json'], envOf(t.fx))).stdout);
    expect(found.items[0].deviceId).toBe('ANDR1');
    const page = await easgate(['devices', 'list', '--limit', '1', '--sort', 'user', '--desc'], envOf(t.fx));
    expect(page.stdout).toContain('bob@x.test');
    expect(page.stderr).toMatch(/^more: easgate devices list … --cursor \S+\n$/);
    const all = JSON.parse((await easgate(['devices', 'list', '--limit', '1', '--all', '--json'], envOf(t.fx))).stdout);
    expect([all.items.length, all.nextCursor]).toEqual([2, null]);
    const bad = await easgate(['devices', 'list', '--q', 'a'], envOf(t.fx));
    expect([bad.code, bad.stderr]).toEqual([1, expect.stringContaining('EASGATE_ERR_API_INVALID: q: expected a string of 2–256 characters')]);
    expect((await easgate(['devices', 'list', '--linked', 'maybe'], envOf(t.fx))).code).toBe(2);
    expect((await easgate(['devices', 'list', '--synced-after', 'last week'], envOf(t.fx))).code).toBe(2);
  });

  it('shows one device with its history, allows, blocks, comments and removes it', async () => {
    const allow = await easgate(['device', 'allow', 'alice@x.test', 'APPL1'], envOf(t.fx, t.fx.tokens.helpdesk));
    expect([allow.code, allow.stdout]).toEqual([0, expect.stringMatching(/accessState:\s+Allowed\n/)]);
    expect((await easgate(['device', 'block', 'alice@x.test', 'APPL1'], envOf(t.fx, t.fx.tokens.helpdesk))).code).toBe(0);
    expect((await easgate(['device', 'comment', 'alice@x.test', 'APPL1', 'lost on a train'], envOf(t.fx, t.fx.tokens.helpdesk))).code).toBe(0);
    const show = await easgate(['device', 'show', 'alice@x.test', 'APPL1'], envOf(t.fx, t.fx.tokens.viewer));
    expect(show.stdout).toMatch(/comment:\s+lost on a train/);
    expect(show.stdout).toMatch(/history:\nAT\s+STATE\s+REASON\s+RULE\s+BY\s+NOTE\n.*Blocked\s+Individual\s+helpdesk-token\n.*Allowed\s+Individual\s+helpdesk-token\n.*Quarantined\s+User\n/);
    const json = JSON.parse((await easgate(['device', 'show', 'alice@x.test', 'APPL1', '--json'], envOf(t.fx))).stdout);
    expect(json.history).toHaveLength(3);
    const viewer = await easgate(['device', 'remove', 'alice@x.test', 'APPL1'], envOf(t.fx, t.fx.tokens.viewer));
    expect([viewer.code, viewer.stderr]).toEqual([1, expect.stringContaining('EASGATE_ERR_API_FORBIDDEN')]);
    expect((await easgate(['device', 'remove', 'alice@x.test', 'APPL1'], envOf(t.fx))).stdout).toBe('removed\n');
    const gone = await easgate(['device', 'show', 'alice@x.test', 'APPL1'], envOf(t.fx));
    expect([gone.code, gone.stderr]).toEqual([1, 'easgate device: EASGATE_ERR_API_NOT_FOUND: no such association\n']);
  });

  it('says what is missing: the API URL or token, an argument, a subcommand; and when the API cannot be reached', async () => {
    expect(await easgate(['device', 'show', 'a@x.test', 'D'], {})).toMatchObject({ code: 2, stderr: expect.stringContaining('EASGATE_API_URL is not set') });
    expect(await easgate(['device', 'show', 'a@x.test', 'D'], { EASGATE_API_URL: t.fx.origin })).toMatchObject({ code: 2, stderr: expect.stringContaining('EASGATE_API_TOKEN is not set') });
    expect(await easgate(['device', 'show', 'a@x.test'], envOf(t.fx))).toMatchObject({ code: 2, stderr: expect.stringContaining('missing DEVICEID') });
    expect(await easgate(['device', 'shred', 'a@x.test', 'D'], envOf(t.fx))).toMatchObject({ code: 2, stderr: expect.stringContaining("unknown subcommand 'shred'") });
    expect(await easgate(['device', '--help'], {})).toMatchObject({ code: 0, stdout: expect.stringContaining('usage: easgate device show') });
    expect(await easgate(['devices', 'list'], { ...envOf(t.fx), EASGATE_API_TOKEN: 'nobody.secret' })).toMatchObject({ code: 1, stderr: expect.stringContaining('EASGATE_ERR_API_UNAUTHORIZED') });
    expect(await easgate(['devices', 'list'], { ...envOf(t.fx), EASGATE_API_URL: 'http://127.0.0.1:1' })).toMatchObject({ code: 1, stderr: 'easgate devices: cannot reach the admin API (ECONNREFUSED)\n' });
    const help = await easgate(['help'], {});
    for (const verb of ['devices', 'device', 'mailbox', 'rules', 'org', 'domain', 'license', 'grandfather', 'purge', 'audit']) expect(help.stdout).toContain(`  ${verb} `);
  });
});

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useApi } from '../api/fixture.js';
import { easgate, envOf } from './run.js';

/**
 * `easgate mailbox set --enabled false --from-file users.txt`: one user per line, a result
 * per line; a bad line in the middle is reported and the lines after it still run.
 */
describe('mailbox set --from-file', () => {
  const t = useApi({ each: true });

  function file(lines: string[]): string {
    const dir = mkdtempSync(join(tmpdir(), 'easgate-cli-'));
    const path = join(dir, 'users.txt');
    writeFileSync(path, lines.join('\n'));
    return path;
  }

  it('disables every good line, reports the bad line in the middle, goes on, and exits 1', async () => {
    for (const u of ['a@x.test', 'b@x.test', 'd@x.test']) await t.fx.store.putMailbox({ user: u, activeSyncEnabled: true, allowedDeviceIds: [], blockedDeviceIds: [] });
    const path = file(['# leavers, November', 'a@x.test', 'B@X.TEST', '', 'this is not a user', 'x'.repeat(2000), 'd@x.test', 'e@x.test   ']);
    const r = await easgate(['mailbox', 'set', '--enabled', 'false', '--from-file', path], envOf(t.fx));
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n').filter(Boolean)).toEqual([
      'line 2\ta@x.test\tdisabled',
      'line 3\tb@x.test\tdisabled',
      'line 5\tthis is not a user\tinvalid: not a mail address (user@domain)',
      `line 6\t${'x'.repeat(40)}…\tinvalid: longer than 1000 characters`,
      'line 7\td@x.test\tdisabled',
      'line 8\te@x.test\tunknown: no such mailbox (nothing changed; create it explicitly)',
    ]);
    expect(r.stderr).toBe('6 lines: 3 disabled, 2 invalid, 1 unknown\n');
    for (const u of ['a@x.test', 'b@x.test', 'd@x.test']) expect((await t.fx.store.getMailbox(u))?.activeSyncEnabled, u).toBe(false);
    expect(await t.fx.store.getMailbox('e@x.test')).toBeUndefined();
    const audit = await t.fx.store.queryAudit({ objectType: 'mailbox' });
    expect(audit.items).toHaveLength(3);
  });

  it('leaves a user without a mailbox record alone (a typo takes no license seat) unless --create', async () => {
    await t.fx.store.putSystem({ activeSyncEnabled: true, license: { total: 5 } });
    const path = file(['typo@x.test']);
    const r = await easgate(['mailbox', 'set', '--enabled', 'true', '--from-file', path], envOf(t.fx));
    expect([r.code, r.stdout]).toEqual([1, 'line 1\ttypo@x.test\tunknown: no such mailbox (nothing changed; create it explicitly)\n']);
    expect(await t.fx.store.getMailbox('typo@x.test')).toBeUndefined();
    expect(await t.fx.store.countEnabledMailboxes()).toBe(0);
    const off = await easgate(['mailbox', 'set', '--enabled', 'false', '--from-file', path], envOf(t.fx));
    expect(off.stdout).toContain('unknown');
    expect(await t.fx.store.getMailbox('typo@x.test')).toBeUndefined();
    const created = await easgate(['mailbox', 'set', '--enabled', 'true', '--from-file', path, '--create'], envOf(t.fx));
    expect([created.code, created.stdout]).toEqual([0, 'line 1\ttypo@x.test\tenabled\n']);
  });

  it('draws a progress bar on a terminal, in chunks, and none into a pipe; exits 0 when every line went through', async () => {
    const users = Array.from({ length: 250 }, (_, i) => `u${i}@x.test`);
    const path = file(users);
    const tty = await easgate(['mailbox', 'set', '--enabled', 'true', '--from-file', path, '--create'], envOf(t.fx), { tty: true });
    expect(tty.code).toBe(0);
    expect(tty.stderr).toContain('\renabling [############');
    expect(tty.stderr).toContain('250/250 100%\n');
    expect(tty.stdout.split('\n').filter(Boolean)).toHaveLength(250);
    expect(await t.fx.store.countEnabledMailboxes()).toBe(250);
    const piped = await easgate(['mailbox', 'set', '--enabled', 'true', '--from-file', '-', '--json'], envOf(t.fx), { stdin: 'u1@x.test\nnew@x.test\n' });
    expect(piped.stderr).not.toContain('\r');
    expect(JSON.parse(piped.stdout)).toMatchObject({ results: [{ line: 1, status: 'unchanged' }, { line: 2, user: 'new@x.test', status: 'unknown' }], counts: { unchanged: 1, unknown: 1 } });
    expect(piped.code).toBe(1);
  });

  it('reports every line of a chunk the API refused, and the license per line', async () => {
    await t.fx.store.putSystem({ activeSyncEnabled: true, license: { total: 1 } });
    const path = file(['a@x.test', 'b@x.test']);
    const r = await easgate(['mailbox', 'set', '--enabled', 'true', '--from-file', path, '--create'], envOf(t.fx));
    expect(r.stdout).toBe('line 1\ta@x.test\tenabled\nline 2\tb@x.test\tlicense-limit\n');
    expect(r.code).toBe(1);
    const viewer = await easgate(['mailbox', 'set', '--enabled', 'false', '--from-file', path], envOf(t.fx, t.fx.tokens.viewer));
    expect(viewer.stdout).toMatch(/^line 1\ta@x.test\terror: EASGATE_ERR_API_FORBIDDEN: /);
    expect(viewer.code).toBe(1);
    const missing = await easgate(['mailbox', 'set', '--enabled', 'false', '--from-file', '/nonexistent/users.txt'], envOf(t.fx));
    expect([missing.code, missing.stderr]).toEqual([2, expect.stringContaining('cannot read /nonexistent/users.txt: ENOENT')]);
    const mixed = await easgate(['mailbox', 'set', 'a@x.test', '--enabled', 'false', '--from-file', path], envOf(t.fx));
    expect(mixed.code).toBe(2);
  });
});

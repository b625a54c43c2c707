import { describe, expect, it } from 'vitest';
import { easgate, envOf } from '../cli-admin/run.js';
import { device } from '../store/fixture.js';
import { useApi } from './fixture.js';

/** A wiped device is told apart in the list: its wipe status is a column and a filter (none, pending, sent, succeeded, failed). */
for (const memory of [false, true]) {
  describe(`the wipe status in the list (${memory ? 'memory' : 'Redis'})`, () => {
    const t = useApi({ memory, each: true });

    it('filters by wipe status and shows it in the CLI table', async () => {
      const s = t.fx.store;
      await s.createAssociation(device('a@x.test', 'NONE1'));
      await s.createAssociation(device('a@x.test', 'PEND1'));
      await s.createAssociation(device('a@x.test', 'SENT1'));
      await s.createAssociation(device('a@x.test', 'DONE1'));
      await s.createAssociation(device('a@x.test', 'FAIL1'));
      expect((await t.fx.call('POST', '/api/v1/associations/a@x.test/PEND1/wipe')).status).toBe(200);
      await s.updateAssociation('a@x.test', 'SENT1', { wipeStatus: 'WipeSent', wipeRequestedAt: 1 });
      await s.updateAssociation('a@x.test', 'DONE1', { wipeStatus: 'WipeSucceeded', wipeRequestedAt: 1 });
      await s.updateAssociation('a@x.test', 'FAIL1', { wipeStatus: 'WipeFailed', wipeRequestedAt: 1 });
      const ids = async (q: string): Promise<string[]> => (await t.fx.call('GET', `/api/v1/associations?${q}`)).body.items.map((a: { deviceId: string }) => a.deviceId).sort();
      expect(await ids('wipe=none')).toEqual(['NONE1']);
      expect(await ids('wipe=pending')).toEqual(['PEND1']);
      expect(await ids('wipe=sent&sort=deviceId')).toEqual(['SENT1']);
      expect(await ids('wipe=succeeded&q=a@')).toEqual(['DONE1']);
      expect(await ids('wipe=failed')).toEqual(['FAIL1']);
      expect((await t.fx.call('GET', '/api/v1/associations?wipe=gone')).body).toMatchObject({ code: 'EASGATE_ERR_API_INVALID', field: 'wipe' });
      const cli = await easgate(['devices', 'list', '--wipe', 'pending'], envOf(t.fx));
      expect(cli.stdout).toMatch(/PEND1\s+iPhone\s+Allowed\s+Global\s+pending\s+/);
      const all = await easgate(['devices', 'list', '--sort', 'deviceId'], envOf(t.fx));
      expect(all.stdout.split('\n').filter((l) => / (none|pending|sent|succeeded|failed) /.test(l))).toHaveLength(5);
    });
  });
}

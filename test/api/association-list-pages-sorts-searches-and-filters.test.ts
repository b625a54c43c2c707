import { beforeAll, describe, expect, it } from 'vitest';
import type { Association } from '../../src/policy/index.js';
import type { NewAssociation } from '../../src/store/index.js';
import { useApi, type ApiFixture } from './fixture.js';

/** GET /api/v1/associations over real Redis: every page, every sort, the search, every filter. */
const NOW = Date.UTC(2026, 5, 15);
const DAY = 86_400_000;

/** The rules the data's verdicts come from, so that the state shown (the decision of the current policy) is the one recorded. */
const RULES = [
  { id: 'r1', characteristic: 'DeviceModel', queryString: 'Model 1', accessLevel: 'Quarantine' },
  { id: 'r2', characteristic: 'DeviceModel', queryString: 'Model 2', accessLevel: 'Block' },
  { id: 'r3', characteristic: 'DeviceModel', queryString: 'Galaxy S24', accessLevel: 'Block' },
] as const;

function rows(): NewAssociation[] {
  const out: NewAssociation[] = [];
  for (let i = 0; i < 60; i++) {
    const model = i % 5 ? `Model ${i % 7}` : 'Galaxy S24';
    const rule = RULES.find((r) => r.queryString === model);
    const state = rule === undefined ? 'Allowed' : rule.accessLevel === 'Block' ? 'Blocked' : 'Quarantined';
    out.push({
      user: `user${String(i % 12).padStart(2, '0')}@${i % 3 === 0 ? 'corp.test' : 'x.test'}`,
      deviceId: `Dev${String(i).padStart(3, '0')}`,
      deviceType: i % 2 ? 'iPhone' : 'SamsungDevice',
      model,
      os: i % 2 ? `iOS 17.${i % 3}` : 'Android 14',
      friendlyName: `Phone of ${i}`,
      firstSyncAt: NOW - 200 * DAY + i * DAY,
      lastSyncAttemptAt: NOW - ((i * 7) % 60) * DAY,
      accessState: state,
      accessReason: rule === undefined ? 'Global' : 'DeviceRule',
      ...(rule === undefined ? {} : { matchedRuleId: rule.id }),
      ...(i % 10 === 0 ? { backendDeviceId: `mdm-${i}` } : {}),
    });
  }
  return out;
}

async function all(fx: ApiFixture, query: string, limit = 7): Promise<Association[]> {
  const out: Association[] = [];
  let cursor: string | null = null;
  do {
    const sep = query === '' ? '' : '&';
    const res = await fx.call('GET', `/api/v1/associations?${query}${sep}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`, { token: fx.tokens.viewer });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    out.push(...(res.body.items as Association[]));
    cursor = res.body.nextCursor as string | null;
  } while (cursor !== null);
  return out;
}

const ids = (list: Association[]): string[] => list.map((a) => a.deviceId);

describe('the association list', () => {
  const t = useApi({ now: () => NOW });
  let data: NewAssociation[];
  beforeAll(async () => {
    data = rows();
    for (const r of RULES) await t.fx.store.putRule({ ...r });
    await t.fx.store.createAssociations(data);
  });

  it('pages through everything without gaps or repeats, newest sync first by default', async () => {
    const list = await all(t.fx, '');
    expect(new Set(ids(list)).size).toBe(60);
    const sync = list.map((a) => a.lastSyncAttemptAt!);
    expect(sync).toEqual([...sync].sort((a, b) => b - a));
  });

  const columns: [string, (a: NewAssociation) => string | number][] = [
    ['user', (a) => a.user],
    ['deviceId', (a) => a.deviceId.toLowerCase()],
    ['deviceType', (a) => a.deviceType!.toLowerCase()],
    ['model', (a) => a.model!.toLowerCase()],
    ['friendlyName', (a) => a.friendlyName!.toLowerCase()],
    ['os', (a) => a.os!.toLowerCase()],
    ['lastSync', (a) => a.lastSyncAttemptAt!],
    ['firstSync', (a) => a.firstSyncAt!],
    ['accessState', (a) => a.accessState],
  ];
  for (const [sort, key] of columns) {
    it(`sorts by ${sort}, ascending and descending`, async () => {
      for (const order of ['asc', 'desc'] as const) {
        const list = await all(t.fx, `sort=${sort}&order=${order}`, 9);
        expect(list).toHaveLength(60);
        const keys = list.map((a) => key(a as NewAssociation));
        const sorted = [...keys].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
        expect(keys).toEqual(order === 'asc' ? sorted : sorted.reverse());
      }
    });
  }

  it('searches user, device ID, device type, model and friendly name by prefix, each once', async () => {
    expect(ids(await all(t.fx, 'q=DEV00'))).toEqual(['Dev000', 'Dev001', 'Dev002', 'Dev003', 'Dev004', 'Dev005', 'Dev006', 'Dev007', 'Dev008', 'Dev009']);
    expect(await all(t.fx, 'q=galaxy', 2)).toHaveLength(12);
    expect(await all(t.fx, 'q=samsung')).toHaveLength(30);
    expect(await all(t.fx, 'q=phone%20of%201', 3)).toHaveLength(11);
    expect(await all(t.fx, 'q=user03@')).toHaveLength(5);
    expect(await all(t.fx, 'q=nothing')).toEqual([]);
    const desc = ids(await all(t.fx, 'q=dev00&order=desc', 4));
    expect(desc).toEqual(ids(await all(t.fx, 'q=dev00', 4)).reverse());
    const sorted = await all(t.fx, 'q=iphone&sort=firstSync', 4);
    expect(sorted.map((a) => a.firstSyncAt)).toEqual(sorted.map((a) => a.firstSyncAt).sort((a, b) => a - b));
    expect(sorted).toHaveLength(30);
  });

  const filters: [string, (a: NewAssociation) => boolean][] = [
    ['state=Quarantined', (a) => a.accessState === 'Quarantined'],
    ['reason=DeviceRule', (a) => a.accessReason === 'DeviceRule'],
    ['user=USER05@x.test', (a) => a.user === 'user05@x.test'],
    ['domain=corp.test', (a) => a.user.endsWith('@corp.test')],
    ['deviceType=iphone', (a) => a.deviceType === 'iPhone'],
    ['os=ios%2017.1', (a) => a.os === 'iOS 17.1'],
    ['deviceId=dev007', (a) => a.deviceId === 'Dev007'],
    ['linked=true', (a) => a.backendDeviceId !== undefined],
    ['linked=false', (a) => a.backendDeviceId === undefined],
    ['policyAssigned=true', (a) => a.matchedRuleId !== undefined],
    ['actionThisYear=false', () => true],
    [`lastSyncAfter=${new Date(NOW - 10 * DAY).toISOString()}`, (a) => a.lastSyncAttemptAt! >= NOW - 10 * DAY],
    [`lastSyncBefore=${new Date(NOW - 50 * DAY).toISOString()}`, (a) => a.lastSyncAttemptAt! < NOW - 50 * DAY],
    ['state=Blocked&domain=x.test&deviceType=SamsungDevice', (a) => a.accessState === 'Blocked' && a.user.endsWith('@x.test') && a.deviceType === 'SamsungDevice'],
  ];
  for (const [query, want] of filters) {
    it(`filters ${query}, with any sort`, async () => {
      const expected = data.filter(want).map((a) => a.deviceId).sort();
      for (const sort of ['', '&sort=user', '&sort=lastSync&order=asc', '&sort=accessState', '&sort=os']) {
        expect(ids(await all(t.fx, query + sort, 4)).sort(), sort).toEqual(expected);
      }
    });
  }

  it('finds an action of this calendar year: an admin allow or block, or a wipe request', async () => {
    expect(await all(t.fx, 'actionThisYear=true')).toEqual([]);
    expect((await t.fx.call('POST', '/api/v1/associations/user01@x.test/Dev001/block')).status).toBe(200);
    expect(ids(await all(t.fx, 'actionThisYear=true'))).toEqual(['Dev001']);
    expect(ids(await all(t.fx, 'actionThisYear=true&reason=Individual&state=Blocked'))).toEqual(['Dev001']);
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import { device } from '../store/fixture.js';
import { useApi } from './fixture.js';

/**
 * Hostile and broken requests: malformed JSON, unknown fields, over-long strings, a
 * one-character search, injection attempts in the search and in path parameters (Redis
 * glob and lex-range specials, `..`, `%00`), huge numbers. Each gets a stable code and,
 * for a bad field, its name; none crashes or reaches another object.
 */
describe('bad input', () => {
  const t = useApi();
  beforeAll(async () => {
    await t.fx.store.createAssociation(device('star*@x.test', 'D[1]', { model: '[weird', friendlyName: '-dash' }));
    await t.fx.store.createAssociation(device('plain@x.test', 'P1', { model: 'Plain' }));
  });
  const api = (m: string, p: string, o: Parameters<typeof t.fx.call>[2] = {}) => t.fx.call(m, `/api/v1${p}`, o);

  it('refuses malformed JSON, a body of the wrong type and a body that is not JSON', async () => {
    for (const raw of ['{bad', '{"comment": "x"', '"just a string', '{"comment": "x"} trailing']) {
      expect((await api('PUT', '/associations/plain@x.test/P1/comment', { raw })).body.code, raw).toBe('EASGATE_ERR_API_BAD_JSON');
    }
    expect((await api('PUT', '/associations/plain@x.test/P1/comment', { raw: '["x"]' })).body).toMatchObject({ code: 'EASGATE_ERR_API_INVALID', message: expect.stringMatching(/^body: expected an object/) });
    const text = await api('PUT', '/associations/plain@x.test/P1/comment', { raw: 'comment=x', headers: { 'content-type': 'text/plain' } });
    expect(text).toMatchObject({ status: 415, body: { code: 'EASGATE_ERR_API_UNSUPPORTED_MEDIA_TYPE' } });
    const huge = await api('PUT', '/associations/plain@x.test/P1/comment', { body: { comment: 'x'.repeat(70_000) } });
    expect(huge).toMatchObject({ status: 413, body: { code: 'EASGATE_ERR_API_BODY_TOO_LARGE' } });
    expect((await api('DELETE', '/rules/none', { body: { force: true } })).body).toMatchObject({ code: 'EASGATE_ERR_API_INVALID', field: 'body' });
  });

  it('refuses unknown fields in the body, nested, and in the query, naming them', async () => {
    expect((await api('PUT', '/settings/system', { body: { activeSyncEnabled: true, licence: {} } })).body).toMatchObject({ code: 'EASGATE_ERR_API_UNKNOWN_FIELD', field: 'licence' });
    expect((await api('PUT', '/settings/system', { body: { license: { total: 1, seats: 2 } } })).body).toMatchObject({ code: 'EASGATE_ERR_API_UNKNOWN_FIELD', field: 'license.seats' });
    expect((await api('PUT', '/settings/system', { raw: '{"__proto__": {"activeSyncEnabled": false}}' })).body).toMatchObject({ code: 'EASGATE_ERR_API_UNKNOWN_FIELD', field: '__proto__' });
    expect((await api('GET', '/associations?stat=Blocked')).body).toMatchObject({ code: 'EASGATE_ERR_API_UNKNOWN_FIELD', field: 'stat' });
    expect((await api('GET', '/rules?x=1')).body).toMatchObject({ code: 'EASGATE_ERR_API_UNKNOWN_FIELD', field: 'x' });
    expect((await t.fx.store.getSystem()).activeSyncEnabled).toBe(true);
  });

  it('refuses over-long strings and lists, missing and mistyped fields, naming the field', async () => {
    const cases: [string, string, unknown, string][] = [
      ['PUT', '/associations/plain@x.test/P1/comment', { comment: 'x'.repeat(1001) }, 'comment'],
      ['PUT', '/associations/plain@x.test/P1/comment', {}, 'comment'],
      ['PUT', '/associations/plain@x.test/P1/comment', { comment: 5 }, 'comment'],
      ['POST', '/rules', { characteristic: 'DeviceOS', queryString: 'q'.repeat(257), accessLevel: 'Block' }, 'queryString'],
      ['POST', '/rules', { characteristic: 'Colour', queryString: 'q', accessLevel: 'Block' }, 'characteristic'],
      ['PUT', '/mailboxes/a@x.test', { allowedDeviceIds: Array.from({ length: 1001 }, (_, i) => `d${i}`) }, 'allowedDeviceIds'],
      ['PUT', '/mailboxes/a@x.test', { allowedDeviceIds: ['ok', ''] }, 'allowedDeviceIds[1]'],
      ['PUT', '/mailboxes/a@x.test', { activeSyncEnabled: 'yes' }, 'activeSyncEnabled'],
      ['POST', '/tokens', { name: 'has space', role: 'admin' }, 'name'],
      ['POST', '/tokens', { name: 'x', role: 'root' }, 'role'],
      ['PUT', '/settings/system', { license: { total: 1e20 } }, 'license.total'],
      ['PUT', '/settings/system', { license: { total: 1.5 } }, 'license.total'],
      ['POST', '/actions/purge', { olderThanDays: 1e308 }, 'olderThanDays'],
      ['POST', '/actions/purge', { olderThanDays: -1 }, 'olderThanDays'],
      ['POST', '/actions/grandfather', { since: 'last tuesday' }, 'since'],
      ['PUT', '/settings/organization', { userMailInsert: 'a\u0000b' }, 'userMailInsert'],
    ];
    for (const [m, p, body, field] of cases) {
      const r = await api(m, p, { body });
      expect(r.status, `${m} ${p} ${field}`).toBe(400);
      expect(r.body, `${m} ${p}`).toMatchObject({ code: 'EASGATE_ERR_API_INVALID', field });
      expect(r.body.message).toMatch(new RegExp(`^${field.replace(/[[\]]/g, '\\$&')}: expected `));
    }
  });

  it('refuses bad query values: a one-character search, huge and negative numbers, a value given twice, a bad time or cursor', async () => {
    const cases: [string, string][] = [
      ['q=a', 'q'],
      [`q=${'x'.repeat(257)}`, 'q'],
      ['q=%00x', 'q'],
      ['limit=0', 'limit'],
      ['limit=501', 'limit'],
      ['limit=1e308', 'limit'],
      ['limit=99999999999999999999', 'limit'],
      ['limit=-1', 'limit'],
      ['limit=1&limit=2', 'limit'],
      ['sort=password', 'sort'],
      ['state=Gone', 'state'],
      ['linked=maybe', 'linked'],
      ['lastSyncAfter=yesterday', 'lastSyncAfter'],
      ['lastSyncBefore=99999-01-01', 'lastSyncBefore'],
    ];
    for (const [query, field] of cases) {
      const r = await api('GET', `/associations?${query}`);
      expect(r.body, query).toMatchObject({ code: 'EASGATE_ERR_API_INVALID', field });
    }
    for (const cursor of ['nonsense', 'eyJ4IjoxfQ', Buffer.from(JSON.stringify(['state:desc', 'x'])).toString('base64url')]) {
      expect((await api('GET', `/associations?cursor=${cursor}`)).body.code, cursor).toBe('EASGATE_ERR_API_BAD_CURSOR');
    }
    expect((await api('GET', '/audit?cursor=abc')).body.code).toBe('EASGATE_ERR_API_BAD_CURSOR');
  });

  it('treats Redis glob and lex-range characters in a search as plain text', async () => {
    const found = async (q: string, sort = ''): Promise<string[]> => {
      const r = await api('GET', `/associations?q=${encodeURIComponent(q)}${sort}`);
      expect(r.status, q).toBe(200);
      return r.body.items.map((a: { deviceId: string }) => a.deviceId);
    };
    expect(await found('star*')).toEqual(['D[1]']);
    expect(await found('d[')).toEqual(['D[1]']);
    expect(await found('[w')).toEqual(['D[1]']);
    expect(await found('-d')).toEqual(['D[1]']);
    expect(await found('st', '&sort=model')).toEqual(['D[1]']);
    for (const q of ['*', '**', '?*', '[a-z]*', '(p', '+', '-', '\\x', '\u00ff\u00ff', '..', '{easgate}', '%2A', '" OR 1=1 --', '$where', "'; FLUSHALL; '"]) {
      const list = await found(q.length < 2 ? `${q}${q}` : q);
      expect(list.every((id) => id === 'D[1]'), q).toBe(true);
    }
    expect(await t.fx.store.countAssociations()).toBe(2);
  });

  it('keeps path parameters to their object: %00, .., encoded slashes and over-long values', async () => {
    expect((await api('GET', '/associations/plain%00@x.test/P1')).body).toMatchObject({ code: 'EASGATE_ERR_API_INVALID', field: 'user' });
    expect((await api('GET', '/associations/plain@x.test/P1%00')).body).toMatchObject({ code: 'EASGATE_ERR_API_INVALID', field: 'deviceId' });
    expect((await api('GET', '/associations/%2e%2e/%2e%2e')).status).toBe(404);
    expect((await api('GET', '/associations/plain@x.test%2FP1/P1')).status).toBe(404);
    expect((await api('GET', '/associations/star*@x.test/d%5B1%5D')).body.deviceId).toBe('D[1]');
    expect((await api('GET', '/associations/*/*')).status).toBe(404);
    expect((await api('GET', `/associations/${'u'.repeat(321)}/P1`)).body).toMatchObject({ field: 'user' });
    expect((await api('GET', `/associations/plain@x.test/${'d'.repeat(511)}`)).body).toMatchObject({ field: 'deviceId' });
    expect((await api('GET', `/associations/plain@x.test/${'d'.repeat(5000)}`)).body).toMatchObject({ code: 'EASGATE_ERR_API_INVALID', field: 'path' });
    expect((await api('GET', '/rules/..')).status).toBe(404);
    expect((await api('GET', '/rules/%2e%2e%2fsettings')).body).toMatchObject({ code: 'EASGATE_ERR_API_INVALID', field: 'id' });
    expect((await api('DELETE', '/tokens/..%2Fadmin-token')).body).toMatchObject({ code: 'EASGATE_ERR_API_INVALID', field: 'name' });
    expect((await api('GET', '/rules/%zz')).body).toMatchObject({ code: 'EASGATE_ERR_API_INVALID', field: 'path' });
    expect((await api('GET', '/nothing/here')).body.code).toBe('EASGATE_ERR_API_NOT_FOUND');
  });
});

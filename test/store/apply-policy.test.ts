import { afterEach, describe, expect, it } from 'vitest';
import { parsePolicyDocument } from '../../src/policy/index.js';
import { applyPolicy, MemoryStore, type Change, type Store } from '../../src/store/index.js';
import { example } from '../policy/example-policy.js';
import { dropPrefix, redisStore, uniquePrefix } from './redis-fixture.js';

const adapters: [string, () => Promise<{ store: Store; cleanup: () => Promise<void> }>][] = [
  ['MemoryStore', async () => ({ store: new MemoryStore(), cleanup: async () => undefined })],
  [
    'RedisStore',
    async () => {
      const prefix = uniquePrefix('apply');
      const store = redisStore(prefix);
      return { store, cleanup: async () => (await store.close(), await dropPrefix(prefix)) };
    },
  ],
];

describe.each(adapters)('applyPolicy on %s', (_name, make) => {
  let cleanup: () => Promise<void> = async () => undefined;
  afterEach(async () => cleanup());

  it('writes the file once; applying it again writes and notifies nothing', async () => {
    const fx = await make();
    cleanup = fx.cleanup;
    const withPolicy = () => ({ ...example(), policies: [{ name: 'Strict', settings: { MinDevicePasswordLength: 6 } }] });
    const doc = parsePolicyDocument(withPolicy());
    const first = await applyPolicy(fx.store, doc);
    expect(first.written).toEqual({ system: true, organization: true, domains: 1, rules: 1, deviceIds: 1, mailboxes: 1, policies: 1 });
    expect((await fx.store.getEasPolicy('Strict'))?.settings).toEqual({ MinDevicePasswordLength: 6 });
    expect(await fx.store.getMailbox('alice@example.test')).toMatchObject({ allowedDeviceIds: ['APPL123'] });
    expect((await fx.store.getOrganization()).defaultAccessLevel).toBe('Quarantine');
    const changes: Change[] = [];
    await fx.store.onChange((c) => changes.push(c));
    const version = await fx.store.policyVersion();
    const again = await applyPolicy(fx.store, parsePolicyDocument(withPolicy()));
    expect(again.written).toEqual({ system: false, organization: false, domains: 0, rules: 0, deviceIds: 0, mailboxes: 0, policies: 0 });
    expect(again.unchanged).toBe(7);
    expect(changes).toEqual([]);
    expect(await fx.store.policyVersion()).toBe(version);
  });

  it('updates what changed and leaves unlisted objects alone', async () => {
    const fx = await make();
    cleanup = fx.cleanup;
    await fx.store.putRule({ id: 'admin-made', characteristic: 'DeviceType', queryString: 'X', accessLevel: 'Allow' });
    await applyPolicy(fx.store, parsePolicyDocument(example()));
    const doc = example() as any;
    doc.rules[0].accessLevel = 'Quarantine';
    const r = await applyPolicy(fx.store, parsePolicyDocument(doc));
    expect(r.written).toMatchObject({ rules: 1, domains: 0 });
    expect((await fx.store.getRule('block-old-ios'))?.accessLevel).toBe('Quarantine');
    expect(await fx.store.getRule('admin-made')).toBeDefined();
  });

  it('applies the license to the mailboxes it enables', async () => {
    const fx = await make();
    cleanup = fx.cleanup;
    const doc = example() as any;
    doc.system.license.total = 1;
    doc.mailboxes.push({ user: 'bob@example.test' });
    const r = await applyPolicy(fx.store, parsePolicyDocument(doc));
    expect(r.licenseRefused).toEqual(['bob@example.test']);
    expect(await fx.store.getMailbox('bob@example.test')).toMatchObject({ activeSyncEnabled: false, disabledReason: 'License' });
    const again = await applyPolicy(fx.store, parsePolicyDocument(doc));
    expect(again.licenseRefused).toEqual(['bob@example.test']);
    expect(again.written.mailboxes).toBe(0);
  });
});

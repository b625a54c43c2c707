import { deviceKey, type AccessLevel, type Characteristic, type DeviceAccessRule } from '../policy/index.js';
import type { Store } from '../store/index.js';
import { findAssociation, type ActionContext } from './context.js';
import { conflict, invalid, notFound } from './errors.js';

/** Device access rules (New-ActiveSyncDeviceAccessRule): one per characteristic and query string; and "a rule for similar devices". */
const FIELD_OF: { [C in Characteristic]: 'userAgent' | 'os' | 'model' | 'deviceType' } = {
  UserAgent: 'userAgent',
  DeviceOS: 'os',
  DeviceModel: 'model',
  DeviceType: 'deviceType',
};

/** An unused rule id made of the characteristic and the query string. */
async function freeRuleId(store: Store, characteristic: Characteristic, queryString: string): Promise<string> {
  const base = `${characteristic}-${queryString.replace(/[^A-Za-z0-9._-]+/g, '-')}`.slice(0, 120);
  for (let i = 1; ; i++) {
    const id = i === 1 ? base : `${base}-${i}`;
    if ((await store.getRule(id)) === undefined) return id;
  }
}

async function refuseTwin(store: Store, rule: Omit<DeviceAccessRule, 'accessLevel'>): Promise<void> {
  const twin = (await store.listRules()).find((r) => r.id !== rule.id && r.characteristic === rule.characteristic && r.queryString === rule.queryString);
  if (twin !== undefined) throw conflict(`rule ${twin.id} already matches ${rule.characteristic} ${JSON.stringify(rule.queryString)}`);
}

export interface RuleInput {
  id?: string | undefined;
  characteristic: Characteristic;
  queryString: string;
  accessLevel: AccessLevel;
}

/** Creates a rule (an id is made up when none is given); 409 for a taken id or a twin. */
export async function createRule(ctx: ActionContext, input: RuleInput, from?: string): Promise<DeviceAccessRule> {
  const id = input.id ?? (await freeRuleId(ctx.store, input.characteristic, input.queryString));
  const rule: DeviceAccessRule = { id, characteristic: input.characteristic, queryString: input.queryString, accessLevel: input.accessLevel };
  if ((await ctx.store.getRule(id)) !== undefined) throw conflict(`rule ${id} exists`);
  await refuseTwin(ctx.store, rule);
  await ctx.store.putRule(rule);
  ctx.audit({ action: 'rule.create', object: `rule:${id}`, after: from === undefined ? rule : { ...rule, from } });
  return rule;
}

export async function putRule(ctx: ActionContext, rule: DeviceAccessRule): Promise<DeviceAccessRule> {
  await refuseTwin(ctx.store, rule);
  const held = await ctx.store.getRule(rule.id);
  await ctx.store.putRule(rule);
  ctx.audit({ action: held === undefined ? 'rule.create' : 'rule.put', object: `rule:${rule.id}`, before: held ?? null, after: rule });
  return rule;
}

export async function deleteRule(ctx: ActionContext, id: string): Promise<void> {
  const held = await ctx.store.getRule(id);
  if (held === undefined || !(await ctx.store.deleteRule(id))) throw notFound('rule');
  ctx.audit({ action: 'rule.delete', object: `rule:${id}`, before: held });
}

/** A rule for similar devices: the device's model (else type), or the characteristic given. */
export async function ruleFromDevice(
  ctx: ActionContext,
  user: string,
  deviceId: string,
  input: { accessLevel: AccessLevel; characteristic?: Characteristic | undefined; id?: string | undefined },
): Promise<DeviceAccessRule> {
  const a = await findAssociation(ctx, user, deviceId);
  const characteristic: Characteristic = input.characteristic ?? (a.model !== undefined ? 'DeviceModel' : 'DeviceType');
  const queryString = a[FIELD_OF[characteristic]];
  if (queryString === undefined || queryString === '') throw invalid('characteristic', `a characteristic the device has (it has no ${FIELD_OF[characteristic]})`);
  return createRule(ctx, { id: input.id, characteristic, queryString: queryString.slice(0, 256), accessLevel: input.accessLevel }, `${a.user}/${deviceKey(a.deviceId)}`);
}

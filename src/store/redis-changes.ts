import { fromFields } from './association-codec.js';
import type { RedisContext } from './redis-associations.js';
import type { ChangedPage, DeletedPage } from './types.js';

/**
 * The change index (`P:ai:chg`, score = change number from `P:ai:chgseq`): the scripts
 * give an association the next number when it is created or changes, except when only its
 * last-sync times do. One ZRANGE and one pipeline of hashes per page.
 */
export async function changedAssociations(ctx: RedisContext, after: number, limit: number): Promise<ChangedPage> {
  const flat = await ctx.client.zrange(ctx.keys.changedIndex, `(${after}`, '+inf', 'BYSCORE', 'LIMIT', 0, limit, 'WITHSCORES');
  if (flat.length === 0) return { items: [], last: after };
  const pipe = ctx.client.pipeline();
  for (let i = 0; i < flat.length; i += 2) pipe.hgetall(ctx.keys.association(flat[i]!));
  const items = [];
  for (const [err, h] of (await pipe.exec()) ?? []) {
    if (err !== null) throw err;
    const a = fromFields(h as Record<string, string>);
    if (a !== undefined) items.push(a);
  }
  return { items, last: Number(flat[flat.length - 1]) };
}

export async function changeNumber(ctx: RedisContext): Promise<number> {
  return Number((await ctx.client.get(ctx.keys.changeSeq)) ?? 0);
}

/** The deletion index (`P:ai:gone`): one ZRANGE per page; the id names user and device key. */
export async function deletedAssociations(ctx: RedisContext, after: number, limit: number): Promise<DeletedPage> {
  const flat = await ctx.client.zrange(ctx.keys.deletedIndex, `(${after}`, '+inf', 'BYSCORE', 'LIMIT', 0, limit, 'WITHSCORES');
  const items: DeletedPage['items'] = [];
  for (let i = 0; i < flat.length; i += 2) {
    const [user, deviceId] = flat[i]!.split('/').map(decodeURIComponent) as [string, string];
    items.push({ user, deviceId, change: Number(flat[i + 1]) });
  }
  return { items, last: items.length === 0 ? after : items[items.length - 1]!.change };
}

export async function forgetDeletions(ctx: RedisContext, upTo: number): Promise<void> {
  await ctx.client.zremrangebyscore(ctx.keys.deletedIndex, '-inf', upTo);
}

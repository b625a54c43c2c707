import type { Association } from '../policy/index.js';
import { fromFields } from './association-codec.js';
import { FILTER_FIELDS, LUA_MATCH, type FilterSpec } from './association-filter.js';
import { TEXT_INDEXES } from './redis-keys.js';
import { LuaScript, type RedisClient } from './redis-scripts.js';

/**
 * Filtering next to the data: one script looks at a batch of associations (KEYS, in index
 * order), reads the few fields the filter needs, and returns only the hashes that pass, up
 * to `need`, with how many it looked at. A filtered page thus costs Redis a few
 * microseconds per association looked at, and the network only the matches.
 */
const FIELDS = [...FILTER_FIELDS, ...TEXT_INDEXES.map((_f, j) => `_x${j + 1}`)];

const FILTER = new LuaScript(`${LUA_MATCH}
local spec = cjson.decode(ARGV[1])
local need = tonumber(ARGV[2])
local hits, examined = {}, 0
for i = 1, #KEYS do
  examined = i
  local h = redis.call('HMGET', KEYS[i], ${FIELDS.map((f) => `'${f}'`).join(', ')})
  if h[3] and matches(spec, h, function(j) return h[${FILTER_FIELDS.length} + j] end) then
    hits[#hits + 1] = i
    hits[#hits + 1] = redis.call('HGETALL', KEYS[i])
    if #hits / 2 >= need then break end
  end
end
return {examined, hits}
`);

export interface FilterResult {
  /** How many of the keys were looked at (all, unless `need` matches came first). */
  examined: number;
  /** Matches: their position in the batch (0-based) and the association. */
  hits: { pos: number; a: Association }[];
}

export async function filterBatch(client: RedisClient, keys: readonly string[], spec: FilterSpec, need: number): Promise<FilterResult> {
  if (keys.length === 0) return { examined: 0, hits: [] };
  const [examined, flat] = (await FILTER.run(client, keys, [JSON.stringify(spec), String(need)])) as [number, (number | string[])[]];
  const hits: FilterResult['hits'] = [];
  for (let i = 0; i < flat.length; i += 2) {
    const pairs = flat[i + 1] as string[];
    const h: Record<string, string> = {};
    for (let k = 0; k < pairs.length; k += 2) h[pairs[k]!] = pairs[k + 1]!;
    const a = fromFields(h);
    if (a !== undefined) hits.push({ pos: (flat[i] as number) - 1, a });
  }
  return { examined, hits };
}

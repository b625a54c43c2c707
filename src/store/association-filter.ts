import { deviceKey, type Association } from '../policy/index.js';
import { associationId, indexValue, SEARCHED_FIELDS, TEXT_INDEXES, textMembers } from './association-codec.js';
import type { AssociationFilter, SearchField } from './types.js';

/**
 * A filter in the form both adapters evaluate next to the data (Redis in Lua, memory in
 * JS): text conditions compare against the association's index members (`_x<j>`: the
 * lower-cased value, NUL, the id), so that "without case" means the same as in the
 * indexes. `primary` is the merged search's condition (association-search.ts): this
 * association is served by the index in slot `slot` (its first match in the order).
 */
export interface FilterSpec {
  st?: string;
  rs?: string;
  user?: string;
  /** `@domain` */
  suf?: string;
  /** [slot, value]: member of that text index starts with value (exact values end in NUL). */
  pre?: [number, string][];
  /** Any of these slots' member starts with `anyPrefix`. */
  any?: { slots: number[]; prefix: string };
  /** Slot whose member must be absent. */
  mis?: number;
  /** Wipe status ('none': no wipe). */
  wp?: string;
  linked?: boolean;
  rule?: boolean;
  act?: { at: number; present: boolean };
  sa?: number;
  sb?: number;
  primary?: { slots: number[]; prefix: string; slot: number; desc: boolean };
}

export const slotOf = (f: SearchField): number => TEXT_INDEXES.indexOf(f) + 1;

/** Whether one association passes a filter (what the stores evaluate next to the data). */
export function associationMatches(f: AssociationFilter, a: Association, desc = false): boolean {
  return matches(compileFilter(f, desc), a);
}

export function compileFilter(f: AssociationFilter, desc = false): FilterSpec {
  const s: FilterSpec = {};
  if (f.state !== undefined) s.st = f.state;
  if (f.reason !== undefined) s.rs = f.reason;
  if (f.user !== undefined) s.user = f.user;
  if (f.domain !== undefined) s.suf = `@${f.domain.toLowerCase()}`;
  const pre: [number, string][] = [];
  if (f.deviceType !== undefined) pre.push([slotOf('deviceType'), `${indexValue(f.deviceType)}\u0000`]);
  if (f.deviceId !== undefined) pre.push([slotOf('deviceId'), `${indexValue(deviceKey(f.deviceId))}\u0000`]);
  if (f.os !== undefined) pre.push([slotOf('os'), indexValue(f.os)]);
  if (pre.length > 0) s.pre = pre;
  if (f.missing !== undefined) s.mis = slotOf(f.missing);
  if (f.wipe !== undefined) s.wp = f.wipe;
  if (f.text !== undefined) {
    const slots = SEARCHED_FIELDS.map(slotOf);
    if (f.firstMatchIn !== undefined) s.primary = { slots, prefix: indexValue(f.text), slot: slotOf(f.firstMatchIn), desc };
    else s.any = { slots, prefix: indexValue(f.text) };
  }
  if (f.linked !== undefined) s.linked = f.linked;
  if (f.ruleMatched !== undefined) s.rule = f.ruleMatched;
  if (f.actionSince !== undefined) s.act = f.actionSince;
  if (f.syncAfter !== undefined) s.sa = f.syncAfter;
  if (f.syncBefore !== undefined) s.sb = f.syncBefore;
  return s;
}

/** The member an association is served at in a merged search, and its slot (undefined: no match). */
export function primaryMember(members: readonly (string | undefined)[], slots: readonly number[], prefix: string, desc: boolean): { member: string; slot: number } | undefined {
  let best: { member: string; slot: number } | undefined;
  for (const slot of slots) {
    const m = members[slot];
    if (m === undefined || !m.startsWith(prefix)) continue;
    if (best === undefined || (desc ? m > best.member : m < best.member)) best = { member: m, slot };
  }
  return best;
}

/** The JS evaluation (memory store, and checks on one association). */
export function matches(s: FilterSpec, a: Association): boolean {
  if (s.st !== undefined && a.accessState !== s.st) return false;
  if (s.rs !== undefined && a.accessReason !== s.rs) return false;
  if (s.user !== undefined && a.user !== s.user) return false;
  if (s.suf !== undefined && !a.user.endsWith(s.suf)) return false;
  if (s.wp !== undefined && (a.wipeStatus ?? 'none') !== s.wp) return false;
  if (s.linked !== undefined && (a.backendDeviceId !== undefined) !== s.linked) return false;
  if (s.rule !== undefined && (a.matchedRuleId !== undefined) !== s.rule) return false;
  const sync = a.lastSyncAttemptAt ?? a.firstSyncAt;
  if ((s.sa !== undefined && sync < s.sa) || (s.sb !== undefined && sync >= s.sb)) return false;
  if (s.act !== undefined) {
    const acted = (a.accessReason === 'Individual' && (a.accessStateAt ?? 0) >= s.act.at) || (a.wipeRequestedAt ?? 0) >= s.act.at;
    if (acted !== s.act.present) return false;
  }
  if (s.pre === undefined && s.any === undefined && s.primary === undefined && s.mis === undefined) return true;
  const byField = textMembers(a, associationId(a.user, a.deviceId));
  const members: (string | undefined)[] = [undefined, ...TEXT_INDEXES.map((f) => byField[f])];
  if (s.mis !== undefined && members[s.mis] !== undefined) return false;
  for (const [slot, v] of s.pre ?? []) if (!(members[slot] ?? '').startsWith(v)) return false;
  if (s.any !== undefined && !s.any.slots.some((slot) => (members[slot] ?? '').startsWith(s.any!.prefix))) return false;
  if (s.primary !== undefined) {
    const p = primaryMember(members, s.primary.slots, s.primary.prefix, s.primary.desc);
    if (p?.slot !== s.primary.slot) return false;
  }
  return true;
}

/**
 * The Lua evaluation (redis-filter.ts), generated beside the JS one so that the two read
 * the same spec. `h` holds the hash fields in FILTER_FIELDS order; `x(j)` the member of slot j.
 */
export const FILTER_FIELDS = ['accessState', 'accessReason', 'user', 'backendDeviceId', 'matchedRuleId', 'lastSyncAttemptAt', 'firstSyncAt', 'accessStateAt', 'wipeRequestedAt', 'wipeStatus'] as const;

export const LUA_MATCH = `
local function starts(s, p) return s ~= nil and s ~= false and string.sub(s, 1, #p) == p end
local function matches(s, h, x)
  if s.st and h[1] ~= s.st then return false end
  if s.rs and h[2] ~= s.rs then return false end
  if s.user and h[3] ~= s.user then return false end
  if s.suf and (not h[3] or string.sub(h[3], -#s.suf) ~= s.suf) then return false end
  if s.wp and (h[10] or 'none') ~= s.wp then return false end
  if s.linked ~= nil and (h[4] ~= false) ~= s.linked then return false end
  if s.rule ~= nil and (h[5] ~= false) ~= s.rule then return false end
  local sync = tonumber(h[6] or h[7])
  if s.sa and (not sync or sync < s.sa) then return false end
  if s.sb and (not sync or sync >= s.sb) then return false end
  if s.act then
    local acted = (h[2] == 'Individual' and (tonumber(h[8]) or 0) >= s.act.at) or (tonumber(h[9]) or 0) >= s.act.at
    if acted ~= s.act.present then return false end
  end
  if s.mis and starts(x(s.mis), '') then return false end
  if s.pre then for _, p in ipairs(s.pre) do if not starts(x(p[1]), p[2]) then return false end end end
  if s.any then
    local hit = false
    for _, slot in ipairs(s.any.slots) do if starts(x(slot), s.any.prefix) then hit = true break end end
    if not hit then return false end
  end
  if s.primary then
    local best, bestSlot = nil, nil
    for _, slot in ipairs(s.primary.slots) do
      local m = x(slot)
      if starts(m, s.primary.prefix) and (best == nil or (s.primary.desc and m > best) or (not s.primary.desc and m < best)) then best, bestSlot = m, slot end
    end
    if bestSlot ~= s.primary.slot then return false end
  end
  return true
end
`;

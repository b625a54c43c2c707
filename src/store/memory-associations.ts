import { ACCESS_STATES, type AccessState, type Association, type StateChange } from '../policy/index.js';
import {
  associationId,
  buildAssociation,
  idOfMember,
  isPatchable,
  patchMarksChange,
  MONOTONIC_FIELDS,
  syncScore,
  textMembers,
} from './association-codec.js';
import { matches } from './association-filter.js';
import { pastCursor, planQuery, scoreCursor, textCursor, type QueryPlan, type ScorePlan, type TextPlan } from './association-query.js';
import { SortedStrings } from './sorted-strings.js';
import type { AssociationPatch, ChangedPage, AssociationQuery, DeletedPage, NewAssociation, Page, SearchField, StateUpdate, SyncRecord } from './types.js';

export const HISTORY_LIMIT = 100;

/** `time \0 id`, zero-padded so that string order is (time, id) order. */
function timeMember(score: number, id: string): string {
  return `${String(Math.max(0, score)).padStart(16, '0')}\u0000${id}`;
}

/** The associations of the memory store with the same indexes and paging as Redis'. */
export class MemoryAssociations {
  private readonly byId = new Map<string, Association>();
  private readonly history = new Map<string, StateChange[]>();
  private readonly text: Record<SearchField, SortedStrings> = {
    user: new SortedStrings(),
    deviceId: new SortedStrings(),
    deviceType: new SortedStrings(),
    model: new SortedStrings(),
    friendlyName: new SortedStrings(),
    os: new SortedStrings(),
  };
  private readonly sync = new SortedStrings();
  private readonly first = new SortedStrings();
  private readonly byState = Object.fromEntries(ACCESS_STATES.map((s) => [s, new SortedStrings()])) as Record<
    AccessState,
    SortedStrings
  >;

  /** The change index: `change number \0 id` (docs/store.md). */
  private readonly changed = new SortedStrings();
  private readonly changeOf = new Map<string, number>();
  changeSeq = 0;
  /** Deletions: `change number \0 id`, and each id's member. */
  private readonly gone = new SortedStrings();
  private readonly goneOf = new Map<string, string>();
  private goneSeq = 0;

  get size(): number {
    return this.byId.size;
  }

  indexed(field: SearchField): number {
    return this.text[field].size;
  }

  get(user: string, deviceId: string): Association | undefined {
    const a = this.byId.get(associationId(user, deviceId));
    return a === undefined ? undefined : structuredClone(a);
  }

  private index(a: Association, id: string, add: boolean): void {
    const op = (set: SortedStrings, m: string): void => (add ? set.add(m) : set.delete(m));
    for (const [index, member] of Object.entries(textMembers(a, id)) as [SearchField, string][]) op(this.text[index], member);
    op(this.sync, timeMember(syncScore(a), id));
    op(this.first, timeMember(a.firstSyncAt, id));
    op(this.byState[a.accessState], timeMember(a.accessStateAt ?? a.firstSyncAt, id));
  }

  create(input: NewAssociation, now: number): { association: Association; created: boolean } {
    const id = associationId(input.user, input.deviceId);
    const held = this.byId.get(id);
    if (held !== undefined) return { association: structuredClone(held), created: false };
    const a = buildAssociation(structuredClone(input), now);
    this.byId.set(id, a);
    this.index(a, id, true);
    this.history.set(id, [entry(a.accessState, a.accessReason, a.matchedRuleId, a.firstSyncAt, undefined)]);
    this.unmarkGone(id);
    this.markChanged(id);
    return { association: structuredClone(a), created: true };
  }

  /** Applies fields to a stored association, re-indexing it; false when it does not exist. */
  private patch(id: string, set: Record<string, string | number | boolean>, unset: readonly string[]): boolean {
    const a = this.byId.get(id);
    if (a === undefined) return false;
    this.index(a, id, false);
    const rec = a as unknown as Record<string, unknown>;
    for (const [k, v] of Object.entries(set)) {
      const old = rec[k];
      if (MONOTONIC_FIELDS.has(k) && typeof old === 'number' && old >= Number(v)) continue;
      rec[k] = v;
    }
    for (const k of unset) delete rec[k];
    this.index(a, id, true);
    return true;
  }

  update(user: string, deviceId: string, patch: AssociationPatch): boolean {
    const set: Record<string, string | number | boolean> = {};
    const unset: string[] = [];
    for (const [k, v] of Object.entries(patch)) {
      if (!isPatchable(k) || v === undefined) continue;
      if (v === null) unset.push(k);
      else set[k] = v;
    }
    const id = associationId(user, deviceId);
    if (!this.patch(id, set, unset)) return false;
    if (patchMarksChange(patch)) this.markChanged(id);
    return true;
  }

  private markChanged(id: string, remove = false): void {
    const old = this.changeOf.get(id);
    if (old !== undefined) this.changed.delete(timeMember(old, id));
    this.changeOf.delete(id);
    if (remove) return;
    this.changeOf.set(id, ++this.changeSeq);
    this.changed.add(timeMember(this.changeSeq, id));
  }

  changedAfter(after: number, limit: number): ChangedPage {
    const items: Association[] = [];
    let last = after;
    for (const m of this.changed.from(timeMember(after + 1, ''), false)) {
      if (items.length === limit) break;
      const a = this.byId.get(idOfMember(m));
      if (a !== undefined) items.push(structuredClone(a));
      last = Number(m.slice(0, 16));
    }
    return { items, last };
  }

  setState(user: string, deviceId: string, u: StateUpdate): boolean {
    const id = associationId(user, deviceId);
    const a = this.byId.get(id);
    if (a === undefined) return false;
    if (a.accessState === u.state && a.accessReason === u.reason && a.matchedRuleId === u.ruleId) return false;
    this.index(a, id, false);
    a.accessState = u.state;
    a.accessReason = u.reason;
    a.accessStateAt = u.at;
    if (u.ruleId === undefined) delete a.matchedRuleId;
    else a.matchedRuleId = u.ruleId;
    this.index(a, id, true);
    const list = this.history.get(id) ?? [];
    list.unshift(entry(u.state, u.reason, u.ruleId, u.at, u.actor, u.note));
    list.length = Math.min(list.length, HISTORY_LIMIT);
    this.history.set(id, list);
    this.markChanged(id);
    return true;
  }

  record(r: SyncRecord): void {
    const { user, deviceId, ...fields } = r;
    this.patch(associationId(user, deviceId), fields as Record<string, string | number>, []);
  }

  delete(user: string, deviceId: string): boolean {
    const id = associationId(user, deviceId);
    const a = this.byId.get(id);
    if (a === undefined) return false;
    this.index(a, id, false);
    this.byId.delete(id);
    this.history.delete(id);
    this.markChanged(id, true);
    const m = timeMember(++this.goneSeq, id);
    this.gone.add(m);
    this.goneOf.set(id, m);
    return true;
  }

  private unmarkGone(id: string): void {
    const m = this.goneOf.get(id);
    if (m === undefined) return;
    this.gone.delete(m);
    this.goneOf.delete(id);
  }

  deletedAfter(after: number, limit: number): DeletedPage {
    const items: DeletedPage['items'] = [];
    for (const m of this.gone.from(timeMember(after + 1, ''), false)) {
      if (items.length === limit) break;
      const [user, key] = idOfMember(m).split('/').map(decodeURIComponent) as [string, string];
      items.push({ user, deviceId: key, change: Number(m.slice(0, 16)) });
    }
    return { items, last: items.length === 0 ? after : items[items.length - 1]!.change };
  }

  forgetDeletions(upTo: number): void {
    for (const m of [...this.gone.from(timeMember(0, ''), false)]) {
      if (Number(m.slice(0, 16)) > upTo) break;
      this.gone.delete(m);
      this.goneOf.delete(idOfMember(m));
    }
  }

  historyOf(user: string, deviceId: string, limit: number): StateChange[] {
    return structuredClone((this.history.get(associationId(user, deviceId)) ?? []).slice(0, limit));
  }

  query(q: AssociationQuery): Page<Association> {
    const plan = planQuery(q);
    return plan.kind === 'text' ? this.textPage(plan) : this.scorePage(plan);
  }

  /** A page out of members in order; with a filter, as RedisStore pages (scanLimit, cursor after the last looked at). */
  private page(members: Iterable<string>, plan: QueryPlan, cursorOf: (m: string) => string): Page<Association> {
    const { limit, spec } = plan;
    const items: Association[] = [];
    let last: string | undefined;
    let lastItem: string | undefined;
    let scanned = 0;
    for (const m of members) {
      if (spec === undefined) {
        if (items.length === limit) return { items, nextCursor: cursorOf(last!) };
      } else if (scanned === plan.scanLimit) {
        return { items, nextCursor: cursorOf(last!) };
      }
      scanned++;
      last = m;
      const a = this.byId.get(idOfMember(m));
      if (a === undefined || (spec !== undefined && !matches(spec, a))) continue;
      if (spec !== undefined && items.length === limit) return { items, nextCursor: cursorOf(lastItem!) };
      items.push(structuredClone(a));
      lastItem = m;
    }
    return { items, nextCursor: null };
  }

  private *textRange(plan: TextPlan): Generator<string> {
    const { lo, hi, desc } = plan;
    const start = desc ? (hi === null ? '\uffff' : hi.top === true ? `${hi.v}\uffff` : hi.v) : (lo?.v ?? '');
    for (const m of this.text[plan.index].from(start, desc)) {
      if (lo !== null && (m < lo.v || (lo.exclusive && m === lo.v))) {
        if (desc) return;
        continue;
      }
      if (hi !== null && (hi.top === true ? m > hi.v && !m.startsWith(hi.v) : m > hi.v || (hi.exclusive && m === hi.v))) {
        if (desc) continue;
        return;
      }
      yield m;
    }
  }

  private textPage(plan: TextPlan): Page<Association> {
    return this.page(this.textRange(plan), plan, (m) => textCursor(plan, m));
  }

  private *scoreRange(plan: ScorePlan): Generator<string> {
    const set = plan.by === 'state' ? this.byState[plan.state!] : plan.by === 'firstSync' ? this.first : this.sync;
    const cap = plan.from?.s;
    const start = plan.desc
      ? cap !== undefined || Number.isFinite(plan.max)
        ? timeMember(cap ?? plan.max, '\uffff')
        : '\uffff'
      : Number.isFinite(plan.min) || cap !== undefined
        ? timeMember(Math.max(cap ?? -Infinity, plan.min), '')
        : '';
    for (const m of set.from(start, plan.desc)) {
      const s = Number(m.slice(0, 16));
      const id = idOfMember(m);
      if (s >= plan.max || s < plan.min) {
        if (plan.desc ? s < plan.min : s >= plan.max) return;
        continue;
      }
      if (pastCursor(plan, s, id)) yield m;
    }
  }

  private scorePage(plan: ScorePlan): Page<Association> {
    return this.page(this.scoreRange(plan), plan, (m) => scoreCursor(plan, Number(m.slice(0, 16)), idOfMember(m)));
  }
}

function entry(state: AccessState, reason: StateChange['reason'], ruleId: string | undefined, at: number, actor: string | undefined, note?: string): StateChange {
  const e: StateChange = { at, state, reason };
  if (ruleId !== undefined) e.ruleId = ruleId;
  if (actor !== undefined) e.actor = actor;
  if (note !== undefined) e.note = note;
  return e;
}

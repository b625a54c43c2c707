import type { CurrentAssociation, PolicyView } from '../actions/index.js';
import type { AccessReason, AccessState, Association } from '../policy/index.js';
import type { Page } from '../store/index.js';

/**
 * The conditions on the access state an association shows (state, reason, decided by a
 * rule): that is the decision its next request would get (src/actions/current-state.ts),
 * not the verdict recorded at its last request, so no index holds it and no store filter can
 * evaluate it. The page's driver reads associations that pass the other conditions (next to
 * the data), this module evaluates the policy on them and keeps those that pass, and the
 * cursor resumes right after the last association looked at. A page looks at no more than
 * JUDGED_BUDGET associations: a rare state answers with fewer items and a cursor.
 */
export const JUDGED_BUDGET = 250;
const MAX_READS = 8;

export interface JudgedFilter {
  state?: AccessState | undefined;
  reason?: AccessReason | undefined;
  ruleMatched?: boolean | undefined;
}

/** The part of a list driver this module pages through. */
export interface Pager {
  page(limit: number, cursor: string | undefined): Promise<Page<Association>>;
  /** The cursor that resumes right after `a` (undefined: the driver can only resume after whole pages). */
  cursorAt?(a: Association): string;
}

export function hasJudged(f: JudgedFilter): boolean {
  return f.state !== undefined || f.reason !== undefined || f.ruleMatched !== undefined;
}

export function passesJudged(f: JudgedFilter, a: CurrentAssociation): boolean {
  return (
    (f.state === undefined || a.accessState === f.state) &&
    (f.reason === undefined || a.accessReason === f.reason) &&
    (f.ruleMatched === undefined || (a.matchedRuleId !== undefined) === f.ruleMatched)
  );
}

export async function judgedPage(pager: Pager, view: PolicyView, f: JudgedFilter, limit: number, cursor: string | undefined): Promise<Page<CurrentAssociation>> {
  const items: CurrentAssociation[] = [];
  let looked = 0;
  for (let reads = 0; ; reads++) {
    // A driver that resumes only after whole pages reads no more than there is room for.
    const ask = pager.cursorAt === undefined ? limit - items.length : Math.min(1000, JUDGED_BUDGET - looked);
    const p = await pager.page(Math.max(1, ask), cursor);
    const judged = await view.judge(p.items);
    for (const [i, a] of judged.entries()) {
      if (!passesJudged(f, a)) continue;
      items.push(a);
      if (items.length === limit && pager.cursorAt !== undefined && i < judged.length - 1) return { items, nextCursor: pager.cursorAt(p.items[i]!) };
    }
    looked += p.items.length;
    if (p.nextCursor === null || items.length === limit || looked >= JUDGED_BUDGET || reads + 1 === MAX_READS) return { items, nextCursor: p.nextCursor };
    cursor = p.nextCursor;
  }
}

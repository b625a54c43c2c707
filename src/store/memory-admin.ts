import { encodeCursor } from './association-query.js';
import { auditPlan, auditMatches, AUDIT_SCAN_BUDGET } from './audit-query.js';
import type { AdminToken, AuditEntry, AuditQuery, NewAuditEntry, Page } from './types.js';

/** The memory store's admin tokens and audit log (same semantics as redis-admin.ts). */
export class MemoryAdmin {
  private readonly tokens = new Map<string, AdminToken>();
  /** Oldest first. */
  private readonly audit: AuditEntry[] = [];
  private seq = 0;

  constructor(private readonly auditLimit: number) {}

  listTokens(): AdminToken[] {
    return structuredClone([...this.tokens.values()].sort((a, b) => (a.name < b.name ? -1 : 1)));
  }
  getToken(name: string): AdminToken | undefined {
    return structuredClone(this.tokens.get(name));
  }
  createToken(token: AdminToken): boolean {
    if (this.tokens.has(token.name)) return false;
    this.tokens.set(token.name, structuredClone(token));
    return true;
  }
  deleteToken(name: string): boolean {
    return this.tokens.delete(name);
  }

  appendAudit(entries: readonly NewAuditEntry[]): number[] {
    const ids = entries.map((e) => {
      const id = ++this.seq;
      this.audit.push({ ...structuredClone(e), id });
      return id;
    });
    if (this.audit.length > this.auditLimit) this.audit.splice(0, this.audit.length - this.auditLimit);
    return ids;
  }

  queryAudit(q: AuditQuery): Page<AuditEntry> {
    const plan = auditPlan(q);
    const items: AuditEntry[] = [];
    let scanned = 0;
    for (let i = this.audit.length - 1; i >= 0; i--) {
      const e = this.audit[i]!;
      if (e.id >= plan.before) continue;
      if (items.length === plan.limit || scanned === AUDIT_SCAN_BUDGET) return { items, nextCursor: encodeCursor('audit', plan.before) };
      scanned++;
      plan.before = e.id;
      if (auditMatches(e, q)) items.push(structuredClone(e));
    }
    return { items, nextCursor: null };
  }
}

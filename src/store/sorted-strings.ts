/**
 * A sorted set of strings for the memory store's indexes (the in-process twin of a Redis
 * ZSET with equal scores). Insert and remove cost a binary search and a move of the tail,
 * which is cheap up to the memory store's scale (one node, demo).
 */
export class SortedStrings {
  private readonly items: string[] = [];

  get size(): number {
    return this.items.length;
  }

  /** Index of the first item ≥ s. */
  private lowerBound(s: string): number {
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.items[mid]! < s) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  add(s: string): void {
    const i = this.lowerBound(s);
    if (this.items[i] !== s) this.items.splice(i, 0, s);
  }

  delete(s: string): void {
    const i = this.lowerBound(s);
    if (this.items[i] === s) this.items.splice(i, 1);
  }

  /** Ascending from the first item ≥ start, or descending from the last item ≤ start. */
  *from(start: string, desc: boolean): Generator<string> {
    if (desc) {
      let i = this.lowerBound(start);
      if (this.items[i] !== start) i -= 1;
      for (; i >= 0; i--) yield this.items[i]!;
    } else {
      for (let i = this.lowerBound(start); i < this.items.length; i++) yield this.items[i]!;
    }
  }

  /** Every item starting with `prefix` ('' = all), in ascending order. */
  countPrefix(prefix: string): number {
    let n = 0;
    for (const s of this.from(prefix, false)) {
      if (!s.startsWith(prefix)) break;
      n++;
    }
    return n;
  }
}

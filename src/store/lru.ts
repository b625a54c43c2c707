/**
 * A bounded LRU map with a maximum age, on a Map's insertion order: a hit moves the entry
 * to the end, an insert beyond the bound evicts the first. The maximum age is the backstop
 * for an invalidation that never arrived.
 */
export class LruCache<V> {
  private readonly map = new Map<string, { v: V; exp: number }>();

  constructor(
    readonly max: number,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!(max >= 1)) throw new RangeError('LruCache needs room for at least one entry');
  }

  get size(): number {
    return this.map.size;
  }

  /** The entry (its `v` may be null for a cached absence), or undefined on a miss. */
  get(key: string): { readonly v: V } | undefined {
    const e = this.map.get(key);
    if (e === undefined) return undefined;
    if (e.exp <= this.now()) {
      this.map.delete(key);
      return undefined;
    }
    this.map.delete(key);
    this.map.set(key, e);
    return e;
  }

  set(key: string, v: V): void {
    this.map.delete(key);
    this.map.set(key, { v, exp: this.now() + this.ttlMs });
    if (this.map.size > this.max) {
      const oldest = this.map.keys().next();
      if (oldest.done !== true) this.map.delete(oldest.value);
    }
  }

  delete(key: string): void {
    this.map.delete(key);
  }

  clear(): void {
    this.map.clear();
  }
}

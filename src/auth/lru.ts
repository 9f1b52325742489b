// A bounded map whose entries expire: least recently used go first when it is full. The DNS
// cache and the verdict memo share it.
interface Entry<V> {
  value: V;
  expires: number;
  /** The clock when it was last put at the young end of the order. */
  touched: number;
}

export class TtlLru<V> {
  private readonly map = new Map<string, Entry<V>>();
  /** Counts insertions and refreshes: how far an entry is from the young end, at most. */
  private clock = 0;

  constructor(
    private readonly capacity: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: string): V | undefined {
    const hit = this.map.get(key);
    if (!hit) return undefined;
    if (hit.expires <= this.now()) {
      this.map.delete(key);
      return undefined;
    }
    // Refresh its place in the LRU order (a delete and an insert) only once it has aged into the
    // older half: an entry used since then cannot be the next to go, and a warm cache, asked for
    // the same few entries message after message, stops paying for the move.
    if (this.clock - hit.touched > this.capacity >> 1) {
      this.map.delete(key);
      this.map.set(key, hit);
      hit.touched = ++this.clock;
    }
    return hit.value;
  }

  set(key: string, value: V, ttlMs: number): void {
    this.map.delete(key);
    this.map.set(key, { value, expires: this.now() + ttlMs, touched: ++this.clock });
    while (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value!);
  }

  clear(): void {
    this.map.clear();
  }

  get size(): number {
    return this.map.size;
  }
}

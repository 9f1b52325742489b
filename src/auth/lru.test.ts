import { describe, expect, it } from 'vitest';
import { TtlLru } from './lru.js';

describe('TtlLru', () => {
  it('evicts the least recently used entry once full, and never one used since it aged', () => {
    const lru = new TtlLru<number>(4, () => 0);
    for (const k of ['a', 'b', 'c', 'd']) lru.set(k, 1, 1000);
    // 'a' is the oldest: used now, it moves to the young end; 'b' goes first.
    expect(lru.get('a')).toBe(1);
    lru.set('e', 1, 1000);
    expect(lru.get('b')).toBeUndefined();
    lru.set('f', 1, 1000);
    expect(lru.get('c')).toBeUndefined();
    // Entries used while young stay as they are, yet outlive everything inserted before them.
    for (let i = 0; i < 20; i++) {
      expect(lru.get('a')).toBe(1);
      lru.set(`x${i}`, 1, 1000);
    }
    expect(lru.size).toBe(4);
    expect(lru.get('a')).toBe(1);
  });

  it('forgets an entry once it expires', () => {
    let now = 0;
    const lru = new TtlLru<string>(10, () => now);
    lru.set('k', 'v', 100);
    now = 99;
    expect(lru.get('k')).toBe('v');
    now = 100;
    expect(lru.get('k')).toBeUndefined();
    expect(lru.size).toBe(0);
  });
});

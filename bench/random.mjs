// Deterministic pseudo-random numbers for the benchmarks (mulberry32), so runs compare.
// random(seed) returns rnd(n): an integer in [0, n). Its low bits are as random as its high
// ones (the linear congruential generator rules.mjs used to have repeated its low bits with a
// short period: nearly every message it made had the same subject shape and client IP).
export function random(seed) {
  let s = seed | 0;
  return (n) => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

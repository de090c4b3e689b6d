/**
 * A small deterministic generator (mulberry32): the local stack draws every latency, delay and
 * jitter from one, so the same seed replays the same run.
 * @example const random = seededRandom(1); random() // 0.627…
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

/** A whole number of milliseconds drawn evenly from [low, high]. */
export function between(random: () => number, low: number, high: number): number {
  return Math.round(low + random() * (high - low));
}

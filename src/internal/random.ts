/**
 * The seeded random source of `simulate` and `nthDelay`, and the hash that turns a string seed (a
 * job id) into a number.
 *
 * Both are part of `nthDelay`'s contract: a durable retry computes its delay in whichever process
 * runs it, possibly after an upgrade, so changing either would move delays in the middle of a
 * backoff. test/nthDelay.test.ts pins their outputs.
 *
 * @internal
 */

/** Returns a function that yields numbers in [0, 1) (splitmix32), the same sequence for the same seed. */
export const seeded = (seed: number): (() => number) => {
  let state = seed >>> 0
  return () => {
    state = (state + 0x9e3779b9) | 0
    let z = state
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
    z ^= z >>> 16
    return (z >>> 0) / 4294967296
  }
}

const encoder = /* @__PURE__ */ new TextEncoder()

/**
 * The 32-bit FNV-1a hash of a string's UTF-8 bytes, as an unsigned integer. A lone surrogate is
 * encoded as U+FFFD, as `TextEncoder` does.
 */
export const fnv1a = (text: string): number => {
  let hash = 0x811c9dc5
  for (const byte of encoder.encode(text)) {
    hash = Math.imul(hash ^ byte, 0x01000193)
  }
  return hash >>> 0
}

/**
 * A small seeded pseudo-random generator (splitmix32) so that simulations and tests replay exactly.
 *
 * @internal
 */

/** Returns a function that yields numbers in [0, 1), the same sequence for the same seed. */
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

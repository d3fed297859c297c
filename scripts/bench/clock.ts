/**
 * What one clock read costs: `performance.now()` (the live clock's `now`) and `Date.now()`, in ns per
 * call, the best of several rounds of a tight loop (noise on a shared machine only adds time).
 */

export interface ClockReads {
  /** ns per `performance.now()` call. */
  readonly performanceNow: number
  /** ns per `Date.now()` call. */
  readonly dateNow: number
}

const CALLS = 1_000_000
const ROUNDS = 7

/** ns per call of `read`, best of `ROUNDS` rounds of `CALLS` calls; the sum keeps the calls from being dropped. */
const perCall = (read: () => number): number => {
  let best = Infinity
  let sink = 0
  for (let round = 0; round < ROUNDS; round++) {
    const start = performance.now()
    for (let i = 0; i < CALLS; i++) sink += read()
    best = Math.min(best, ((performance.now() - start) * 1e6) / CALLS)
  }
  if (sink === 0) throw new Error('clock reads summed to 0')
  return best
}

export const clockReads = (): ClockReads => ({
  performanceNow: perCall(() => performance.now()),
  dateNow: perCall(() => Date.now())
})

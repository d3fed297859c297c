/**
 * The source of time for running schedules: what time it is, and how to wait.
 *
 * Every runner takes a `Clock` as an option and uses `live` by default; tests pass a `TestClock` instead so
 * that a schedule with long delays runs in milliseconds of real time.
 *
 * @since 0.1.0
 */
import { offAbort, onAbort } from './internal/abort'
import { checkDuration } from './internal/check'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * A source of monotonic time in milliseconds and a way to wait for some of it to pass.
 *
 * `sleep(ms, signal)` resolves once `ms` milliseconds have passed. It rejects with a `RangeError` when `ms` is not a
 * finite non-negative number, and with `signal.reason` when the signal aborts (at once if it already has). However it
 * settles, it leaves no timer and no abort listener behind. `now()` only has to be monotonic: its origin is arbitrary.
 *
 * @example
 * import { Clock } from 'schedule-ts/Clock'
 *
 * // a clock that never waits and counts the time it was asked to wait
 * let time = 0
 * const instant: Clock = {
 *   now: () => time,
 *   sleep: (ms) => {
 *     time += ms
 *     return Promise.resolve()
 *   }
 * }
 *
 * instant.sleep(250).then(() => assert.deepStrictEqual(instant.now(), 250))
 *
 * @category model
 * @since 0.1.0
 */
export interface Clock {
  readonly now: () => number
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/** The longest delay a single `setTimeout` can hold; a larger one fires after 1 ms. */
const MAX_TIMEOUT = 2 ** 31 - 1

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise<void>((resolve, reject) => {
    // a throw here rejects the promise: sleep never throws synchronously
    checkDuration('Clock.sleep', 'ms', ms)
    if (signal !== undefined && signal.aborted) {
      reject(signal.reason)
      return
    }
    if (ms === 0) {
      resolve()
      return
    }
    let timer: ReturnType<typeof setTimeout>
    const aborted = (): void => {
      clearTimeout(timer)
      reject((signal as AbortSignal).reason)
    }
    // waits in chunks that a timer can hold: `remaining` is what is left after the chunk under way
    const wait = (remaining: number): void => {
      if (remaining > 0) {
        timer = setTimeout(wait, Math.min(remaining, MAX_TIMEOUT), remaining - MAX_TIMEOUT)
      } else {
        if (signal !== undefined) offAbort(signal, aborted)
        resolve()
      }
    }
    if (signal !== undefined) onAbort(signal, aborted)
    wait(ms)
  })

/**
 * The real clock: `performance.now()` for the time and `setTimeout` for waiting.
 *
 * It is the default of every runner. A sleep longer than a timer can hold (2^31 - 1 ms, about 24.8 days) is waited in
 * chunks, so it really lasts that long; `sleep(0)` resolves without a timer. Its timers are not `unref`'d: a pending
 * retry keeps the process alive, as a plain `setTimeout` would.
 *
 * @example
 * import { live } from 'schedule-ts/Clock'
 *
 * const start = live.now()
 * live.sleep(20).then(() => assert.deepStrictEqual(live.now() - start >= 19, true))
 *
 * // an abort ends the wait at once with the signal's reason
 * const controller = new AbortController()
 * live.sleep(60_000, controller.signal).catch((reason) => assert.deepStrictEqual(reason, 'cancelled'))
 * controller.abort('cancelled')
 *
 * @category constructors
 * @since 0.1.0
 */
export const live: Clock = {
  now: () => performance.now(),
  sleep
}

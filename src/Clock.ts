/**
 * The source of time for running schedules: what time it is, and how to wait.
 *
 * Every runner takes a `Clock` as an option and uses `live` by default; tests pass a `TestClock` instead so
 * that a schedule with long delays runs in milliseconds of real time.
 *
 * @since 0.1.0
 */
import { honoursAbort, offAbort, onAbort } from './internal/abort'
import { checkDuration } from './internal/check'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * A source of time in milliseconds that never goes backwards, and a way to wait for some of it to pass.
 *
 * `sleep(ms, signal)` resolves once `ms` milliseconds have passed. It rejects with a `RangeError` when `ms` is not a
 * finite non-negative number, and with `signal.reason` when the signal aborts (at once if it already has). However it
 * settles, it leaves no timer and no abort listener behind.
 *
 * `now()` must never go backwards. For schedules that only measure durations (backoffs, `fixed`, `maxElapsed`) its
 * origin does not matter; calendar schedules (`schedule-ts/Cron`) read it as the date, so they need `now()` in epoch
 * milliseconds, as `live` and a `TestClock` started at a date (`TestClock.make(Date.UTC(2025, 0, 1))`) give it.
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

/** The time in epoch milliseconds, from the monotonic clock: it never goes backwards. */
const now = (): number => performance.timeOrigin + performance.now()

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise<void>((resolve, reject) => {
    // a throw here rejects the promise: sleep never throws synchronously
    checkDuration('Clock.sleep', 'ms', ms)
    if (signal?.aborted) throw signal.reason
    const start = now()
    let timer: ReturnType<typeof setTimeout>
    const aborted = (): void => {
      clearTimeout(timer)
      reject((signal as AbortSignal).reason)
    }
    // a timer counts whole milliseconds of the event loop's clock and may fire up to 1 ms before `now() - start`
    // reaches `ms` (a calendar schedule would then run twice for one match): it is set again for what is left, rounded
    // up, in chunks a timer can hold; `sleep(0)` resolves at once
    const wait = (): void => {
      const remaining = ms - (now() - start)
      if (remaining > 0) {
        timer = setTimeout(wait, Math.min(Math.ceil(remaining), MAX_TIMEOUT))
      } else {
        if (signal !== undefined) offAbort(signal, aborted)
        resolve()
      }
    }
    if (signal !== undefined) onAbort(signal, aborted)
    wait()
  })

/**
 * The real clock: `now()` is `performance.timeOrigin + performance.now()`, epoch milliseconds that never go backwards,
 * and `sleep` waits with `setTimeout`.
 *
 * It is the default of every runner. `now()` is the wall-clock time when the process started plus the monotonic time
 * since, so a calendar schedule (`schedule-ts/Cron`) can read the date from it, and a change of the system clock (an
 * NTP step, a user setting the time) never makes it jump. The gotcha is the other side of that: it does not follow such
 * a change either, nor the time a suspended machine slept (Linux's monotonic clock stops then), so in a process that
 * lives for months it can drift from `Date.now()` by as much as the system clock was corrected.
 *
 * `sleep(ms)` resolves only once `now()` has advanced by `ms` (a timer, which may fire up to 1 ms early, is set again
 * for what is left). A sleep longer than a timer can hold (2^31 - 1 ms, about 24.8 days) is waited in chunks, so it
 * really lasts that long; `sleep(0)` resolves without a timer. Its timers are not `unref`'d: a pending retry keeps the
 * process alive, as a plain `setTimeout` would.
 *
 * @example
 * import { live } from 'schedule-ts/Clock'
 *
 * // epoch milliseconds: a date
 * assert.deepStrictEqual(new Date(live.now()).getUTCFullYear() >= 2025, true)
 *
 * const start = live.now()
 * live.sleep(20).then(() => assert.deepStrictEqual(live.now() - start >= 20, true))
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
  now,
  sleep: /* @__PURE__ */ honoursAbort(sleep)
}

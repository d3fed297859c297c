/**
 * The run loop shared by `retry`, `repeat` and their variants: it makes attempts, steps the
 * schedule, sleeps on the clock and honours the abort signal, the attempt timeout and the budget.
 * This is the only place with mutable state besides a Budget, and it lives for one run.
 *
 * @internal
 */
import type { Either, Left } from 'fp-ts/Either'
import type { Option } from 'fp-ts/Option'
import type { Budget } from '../Budget'
import type { Clock } from '../Clock'
import { live } from '../Clock'
import type { Schedule } from '../Schedule'
import type { AttemptTimeout, Interrupted, RetryStatus } from '../TaskEither'
import { offAbort, onAbort } from './abort'
import { checkDuration, checkFunction } from './check'

/** The options the loop reads; the public modules narrow them per function. */
export interface RunOptions {
  readonly clock?: Clock
  readonly random?: () => number
  readonly signal?: AbortSignal
  readonly onRetry?: (event: never) => void
  readonly onGiveUp?: (event: never) => void
  readonly budget?: Budget
  readonly attemptTimeout?: number
}

/** One attempt: its 1-based number and the signal it may watch (absent when nothing can abort it). */
export type Attempt = (attempt: number, signal: AbortSignal | undefined) => Promise<Either<unknown, unknown>>

type Result = Either<unknown, unknown>

/** Zero-delay recurrences in a row before the loop yields to the event loop. */
const YIELD_EVERY = 128

const none: Option<never> = { _tag: 'None' }

const interrupted = (lastError: Option<unknown>): Result => ({
  _tag: 'Left',
  left: { _tag: 'Interrupted', lastError } satisfies Interrupted<unknown>
})

// setImmediate lets timers and I/O through; where there is none (a browser), a zero timer does
const yieldToEventLoop = (): Promise<void> =>
  new Promise((resolve) => (typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0)))

const noop = (): void => undefined

/** Checks the options once, when a runner is built, so a bad option fails before any attempt. */
export const checkOptions = (fn: string, options: RunOptions | undefined): RunOptions => {
  if (options === undefined) {
    return {}
  }
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`${fn}: options must be an object, got ${String(options)}`)
  }
  const { attemptTimeout, clock, signal, budget } = options
  if (attemptTimeout !== undefined && checkDuration(fn, 'attemptTimeout', attemptTimeout) === 0) {
    throw new RangeError(`${fn}: attemptTimeout must be above 0, got 0`)
  }
  for (const callback of ['onRetry', 'onGiveUp', 'random'] as const) {
    if (options[callback] !== undefined) checkFunction(fn, callback, options[callback])
  }
  if (clock !== undefined) {
    checkFunction(fn, 'clock.now', clock?.now)
    checkFunction(fn, 'clock.sleep', clock?.sleep)
  }
  if (signal !== undefined && typeof signal?.aborted !== 'boolean') {
    throw new TypeError(`${fn}: signal must be an AbortSignal`)
  }
  if (budget !== undefined) {
    for (const method of ['onRequest', 'onSuccess', 'onFailure', 'tryRetry'] as const) {
      checkFunction(fn, `budget.${method}`, budget?.[method])
    }
  }
  return options
}

// runs one attempt under a timeout measured on the clock: when it fires, the attempt's signal aborts
// and the attempt counts as failed with an AttemptTimeout; the attempt itself is no longer awaited
const timed = (
  attempt: Attempt,
  n: number,
  outer: AbortSignal | undefined,
  timeout: number,
  clock: Clock
): Promise<Result> =>
  new Promise<Result>((resolve, reject) => {
    const timer = new AbortController()
    const inner = new AbortController()
    const aborted = (): void => inner.abort((outer as AbortSignal).reason)
    if (outer !== undefined) {
      if (outer.aborted) aborted()
      else onAbort(outer, aborted)
    }
    const cleanup = (): void => {
      timer.abort()
      if (outer !== undefined) offAbort(outer, aborted)
    }
    // an attempt that throws instead of returning a promise is a defect too: no timer is started
    let running: Promise<Result>
    try {
      running = attempt(n, inner.signal)
    } catch (defect) {
      cleanup()
      reject(defect)
      return
    }
    clock.sleep(timeout, timer.signal).then(() => {
      if (outer !== undefined) offAbort(outer, aborted)
      const error: AttemptTimeout = { _tag: 'AttemptTimeout', attempt: n, timeout }
      inner.abort(error)
      resolve({ _tag: 'Left', left: error })
    }, noop)
    running.then(
      (result) => {
        cleanup()
        resolve(result)
      },
      (defect) => {
        cleanup()
        reject(defect)
      }
    )
  })

const checkSchedule = (fn: string, schedule: Schedule<never, unknown>): void => {
  if (schedule === null || typeof schedule !== 'object' || typeof schedule.step !== 'function') {
    throw new TypeError(`${fn}: schedule must be a Schedule`)
  }
}

/** The options of a repeat, read as the loop's: `onRepeat` is its `onRetry`. */
export const repeatOptions = (
  fn: string,
  options: (Omit<RunOptions, 'onRetry'> & { readonly onRepeat?: (event: never) => void }) | undefined
): RunOptions | undefined => {
  if (options === undefined || options === null || typeof options !== 'object') {
    return options
  }
  if (options.onRepeat !== undefined) checkFunction(fn, 'onRepeat', options.onRepeat)
  return { ...options, onRetry: options.onRepeat }
}

/** What ends a run with a fallback: `orElse` with the last error and the status. */
export const fallbackTo = (
  fn: string,
  orElse: (error: never, status: RetryStatus) => () => Promise<Result>
): ((last: Result, status: RetryStatus) => Promise<Result>) => {
  checkFunction(fn, 'orElse', orElse)
  return (last, status) => orElse((last as Left<unknown>).left as never, status)()
}

/** An attempt that sees its number and a signal (a fresh one when nothing can abort it). */
export const withContext = (
  fn: string,
  f: (context: { readonly attempt: number; readonly signal: AbortSignal }) => () => Promise<Result>
): Attempt => {
  checkFunction(fn, 'f', f)
  return (attempt, signal) => f({ attempt, signal: signal ?? new AbortController().signal })()
}

const record = (budget: Budget, result: Result): void => {
  if (result._tag === 'Right') budget.onSuccess()
  else budget.onFailure()
}

/**
 * Builds a runner: a function that runs an attempt until the schedule is done. In retry mode a
 * `Left` is stepped and a `Right` ends the run; in repeat mode the other way round. `stop` decides
 * the result when the schedule (or the budget) ends a run that has not succeeded (retry) or not
 * failed (repeat). Everything that does not change between runs is resolved here, once, so that a
 * call whose first attempt succeeds costs one clock read and one `then`.
 */
export const runner = (
  fn: string,
  schedule: Schedule<never, unknown>,
  rawOptions: RunOptions | undefined,
  repeat: boolean,
  stop: (last: Result, status: RetryStatus) => Result | Promise<Result> = (last) => last
): ((attempt: Attempt) => Promise<Result>) => {
  checkSchedule(fn, schedule)
  const options = checkOptions(fn, rawOptions)
  const { signal, attemptTimeout } = options
  const budget = repeat ? undefined : options.budget
  const clock = options.clock ?? live
  const onRetry = options.onRetry as ((event: unknown) => void) | undefined
  const onGiveUp = options.onGiveUp as ((event: unknown) => void) | undefined
  const random = options.random ?? Math.random
  const exec = (attempt: Attempt, n: number): Promise<Result> =>
    attemptTimeout === undefined ? attempt(n, signal) : timed(attempt, n, signal, attemptTimeout, clock)
  const lastInterrupted = (input: unknown): Result => interrupted(repeat ? none : { _tag: 'Some', value: input })

  const giveUp = (result: Result, input: unknown, status: RetryStatus): Result | Promise<Result> => {
    if (onGiveUp !== undefined) {
      onGiveUp({ ...status, error: input })
    }
    return stop(result, status)
  }

  const loop = async (attempt: Attempt, first: Result, start: number): Promise<Result> => {
    let result = first
    let state = schedule.initial
    let attempts = 1
    let totalDelay = 0
    let zeroDelays = 0
    for (;;) {
      const input = result._tag === 'Left' ? result.left : result.right
      if (signal !== undefined && signal.aborted) {
        return lastInterrupted(input)
      }
      const now = clock.now()
      const step = (schedule as Schedule<unknown, unknown>).step(input, { now, start, random }, state)
      if (step._tag === 'Done') {
        return giveUp(result, input, { attempts, totalDelay, elapsed: now - start, stoppedBy: 'schedule' })
      }
      if (budget !== undefined && !budget.tryRetry()) {
        return giveUp(result, input, { attempts, totalDelay, elapsed: now - start, stoppedBy: 'budget' })
      }
      const { delay, output } = step
      if (onRetry !== undefined) {
        onRetry({ attempt: attempts, [repeat ? 'value' : 'error']: input, delay, elapsed: now - start, output })
      }
      if (delay > 0) {
        zeroDelays = 0
        try {
          await clock.sleep(delay, signal)
        } catch (error) {
          if (signal !== undefined && signal.aborted) {
            return lastInterrupted(input)
          }
          throw error
        }
      } else if (++zeroDelays === YIELD_EVERY) {
        // a long run of zero delays still lets timers, I/O and an abort through
        zeroDelays = 0
        await yieldToEventLoop()
        if (signal !== undefined && signal.aborted) {
          return lastInterrupted(input)
        }
      }
      totalDelay += delay
      state = step.state
      attempts++
      result = await exec(attempt, attempts)
      if (budget !== undefined) {
        record(budget, result)
      }
      if ((result._tag === 'Right') !== repeat) {
        return result
      }
    }
  }

  return (attempt) => {
    if (signal !== undefined && signal.aborted) {
      return Promise.resolve(interrupted(none))
    }
    if (budget !== undefined) {
      budget.onRequest()
    }
    const start = clock.now()
    let first: Promise<Result>
    try {
      first = exec(attempt, 1)
    } catch (defect) {
      // a TaskEither that throws instead of returning a promise: a defect, reported as a rejection
      return Promise.reject(defect)
    }
    // the first attempt costs one `then` beyond the bare call; the loop starts only when needed
    return first.then((result) => {
      if (budget !== undefined) {
        record(budget, result)
      }
      return (result._tag === 'Right') !== repeat ? result : loop(attempt, result, start)
    })
  }
}

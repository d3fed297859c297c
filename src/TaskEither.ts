/**
 * Runs a `Schedule` over a `TaskEither`: `retry` on failure, `repeat` on success. Each function is
 * curried and data-last, so a policy is written once and applied anywhere with `pipe`:
 *
 * ```ts
 * const resilient = retry(pipe(S.exponential(100), S.jittered, S.maxRetries(5)))
 * const user = pipe(fetchUser(id), resilient)
 * ```
 *
 * The first attempt runs at once; the schedule is stepped after each failure (retry) or success
 * (repeat), and its first delay is the wait before the second attempt. A promise that *rejects*
 * inside a TaskEither is a defect, not a failure: it is never retried and reaches the caller as a
 * rejection, unchanged.
 *
 * Options: a `clock` (default: the live clock; use `TestClock` in tests), a `random` source
 * (default: `Math.random`), an abort `signal`, an `attemptTimeout` in ms, an `onRetry` callback and a
 * shared `budget`. Giving a `signal` widens the error type with `Interrupted<E>`, giving an
 * `attemptTimeout` with `AttemptTimeout`; without them the error type is unchanged.
 *
 * @since 0.1.0
 */
import type { TaskEither } from 'fp-ts/TaskEither'
import type { Budget } from './Budget'
import type { Clock } from './Clock'
import { checkFunction } from './internal/check'
import {
  type Attempt,
  fallbackTo,
  hedging,
  plan,
  prepare,
  repeating,
  retrying,
  type RunOptions,
  withContext
} from './internal/driver'
import { hedged } from './internal/hedge'
import type * as Model from './internal/model'
import type { Schedule } from './Schedule'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * The failure of a run stopped by its abort signal: `{ _tag: 'Interrupted', lastError }`, where
 * `lastError` is the last error of the run (`some`), if an attempt had failed (`none` otherwise).
 *
 * It can be told apart from your own errors by `isInterrupted`.
 *
 * @example
 * import * as O from 'fp-ts/Option'
 * import type { Interrupted } from 'schedule-ts/TaskEither'
 *
 * const stopped: Interrupted<string> = { _tag: 'Interrupted', lastError: O.some('503') }
 * assert.deepStrictEqual(stopped.lastError, O.some('503'))
 *
 * @category model
 * @since 0.1.0
 */
export type Interrupted<E> = Model.Interrupted<E>

/**
 * The failure of an attempt that ran longer than `attemptTimeout`:
 * `{ _tag: 'AttemptTimeout', attempt, timeout }`, where `attempt` is its number (1-based) and
 * `timeout` the limit in ms.
 *
 * With an `attemptTimeout`, the schedule is stepped with these too: a schedule that looks at its
 * input (`whileInput`) must accept them, and decides whether a timeout is retried.
 *
 * @example
 * import type { AttemptTimeout } from 'schedule-ts/TaskEither'
 *
 * const timeout: AttemptTimeout = { _tag: 'AttemptTimeout', attempt: 2, timeout: 500 }
 * assert.strictEqual(timeout.timeout, 500)
 *
 * @category model
 * @since 0.1.0
 */
export type AttemptTimeout = Model.AttemptTimeout

/**
 * How a run that did not succeed ended: `{ attempts, totalDelay, elapsed, stoppedBy }`, the number of
 * attempts, the sum of the delays slept (clamped, saturating at `Number.MAX_SAFE_INTEGER`), the
 * time since the start of the first attempt, and what stopped it (`'schedule'`, or `'budget'` when a
 * budget denied a retry).
 *
 * @example
 * import type { RetryStatus } from 'schedule-ts/TaskEither'
 *
 * const status: RetryStatus = { attempts: 4, totalDelay: 700, elapsed: 712, stoppedBy: 'schedule' }
 * assert.strictEqual(status.attempts - 1, 3) // retries
 *
 * @category model
 * @since 0.1.0
 */
export type RetryStatus = Model.RetryStatus

/**
 * What `onRetry` receives before each sleep: the number of the attempt that failed (1-based), its
 * error, the delay before the next attempt, the time since the start of the first attempt, and the
 * schedule's output for this decision (for logging which phase or delay hint chose the delay).
 *
 * @example
 * import type { RetryEvent } from 'schedule-ts/TaskEither'
 *
 * const log = (e: RetryEvent<Error>) => `attempt ${e.attempt} failed (${e.error.message}), retrying in ${e.delay} ms`
 * assert.strictEqual(log({ attempt: 1, error: new Error('503'), delay: 100, elapsed: 20, output: 100 }), 'attempt 1 failed (503), retrying in 100 ms')
 *
 * @category model
 * @since 0.1.0
 */
export interface RetryEvent<E, Out = unknown> {
  readonly attempt: number
  readonly error: E
  readonly delay: number
  readonly elapsed: number
  readonly output: Out
}

/**
 * What `onGiveUp` receives when a run stops retrying without a success: the run's status (attempts,
 * total delay, elapsed time, and whether the schedule or the budget stopped it) and the last error.
 *
 * @example
 * import type { GiveUpEvent } from 'schedule-ts/TaskEither'
 *
 * const event: GiveUpEvent<string> = { attempts: 2, totalDelay: 0, elapsed: 5, stoppedBy: 'budget', error: '503' }
 * assert.strictEqual(`gave up after ${event.attempts} attempts (${event.stoppedBy})`, 'gave up after 2 attempts (budget)')
 *
 * @category model
 * @since 0.1.0
 */
export interface GiveUpEvent<E> extends RetryStatus {
  readonly error: E
}

/**
 * What `onRepeat` receives before each sleep of a `repeat`: the number of the attempt that
 * succeeded, its value, the delay before the next one and the time since the first started.
 *
 * @example
 * import type { RepeatEvent } from 'schedule-ts/TaskEither'
 *
 * const event: RepeatEvent<number> = { attempt: 1, value: 42, delay: 1000, elapsed: 3, output: 0 }
 * assert.strictEqual(event.value, 42)
 *
 * @category model
 * @since 0.1.0
 */
export interface RepeatEvent<A, Out = unknown> {
  readonly attempt: number
  readonly value: A
  readonly delay: number
  readonly elapsed: number
  readonly output: Out
}

/**
 * The options of `retry` and its variants; `In` is the schedule's input type.
 *
 * - `clock`: where time comes from and how to sleep (default: `Clock.live`; `TestClock` in tests).
 * - `random`: the random source of jitter, returning numbers in [0, 1) (default: `Math.random`).
 * - `signal`: aborting it stops the run at once if it is sleeping (the timer is cleared), or after
 *   the attempt in flight, which is awaited; the run then fails with `Interrupted`.
 * - `onRetry`: called before each sleep.
 * - `onGiveUp`: called when the schedule or the budget stops a run that has not succeeded.
 *
 * A listener may return a promise: the run waits for it before it sleeps or ends, so async work
 * between attempts (refreshing a token) is ordered. A listener that throws or rejects is a defect:
 * the run rejects with its error and makes no further attempt.
 * - `budget`: a retry budget shared across calls; a denied retry ends the run with its last error.
 * - `attemptTimeout`: an attempt running longer fails with `AttemptTimeout` (the schedule sees it).
 *
 * @example
 * import * as S from 'schedule-ts/Schedule'
 * import * as Retry from 'schedule-ts/TaskEither'
 *
 * const controller = new AbortController()
 * const options: Retry.RetryOptions<unknown> = { signal: controller.signal, attemptTimeout: 2000 }
 * const resilient = Retry.retry(S.recurs(3), options)
 * assert.strictEqual(typeof resilient, 'function')
 *
 * @category model
 * @since 0.1.0
 */
export interface RetryOptions<In, Out = unknown> {
  readonly clock?: Clock | undefined
  readonly random?: (() => number) | undefined
  readonly signal?: AbortSignal | undefined
  readonly onRetry?: ((event: RetryEvent<In, Out>) => void) | undefined
  readonly onGiveUp?: ((event: GiveUpEvent<In>) => void) | undefined
  readonly budget?: Budget | undefined
  readonly attemptTimeout?: number | undefined
}

/**
 * The options of `repeat`: the same as `RetryOptions` but for `onRepeat` in place of `onRetry` and
 * no budget (a budget limits retries, and a repeat does not retry).
 *
 * @example
 * import type { RepeatOptions } from 'schedule-ts/TaskEither'
 *
 * const options: RepeatOptions<number> = { onRepeat: (e) => console.log(`got ${e.value}, next in ${e.delay} ms`) }
 * assert.strictEqual(typeof options.onRepeat, 'function')
 *
 * @category model
 * @since 0.1.0
 */
export interface RepeatOptions<A, Out = unknown> {
  readonly clock?: Clock | undefined
  readonly random?: (() => number) | undefined
  readonly signal?: AbortSignal | undefined
  readonly onRepeat?: ((event: RepeatEvent<A, Out>) => void) | undefined
  readonly attemptTimeout?: number | undefined
}

/**
 * What `retryWithContext` gives each attempt: `{ attempt, signal, lastError }`. `attempt` is its
 * number (1-based); `signal` aborts when the whole run is aborted or when this attempt times out;
 * `lastError` is `none` on the first attempt, then `some` of the previous attempt's error (even when
 * that error is `undefined`).
 *
 * Pass the signal on (to `fetch`, a database driver) so that an abandoned attempt really stops. Use
 * `lastError` to re-send only what failed (a batch) or to act on what the server said. TypeScript
 * cannot infer `E` from what the attempt returns: annotate the context
 * (`({ lastError }: AttemptContext<HttpError>) => ...`) to type `lastError`.
 *
 * @example
 * import * as O from 'fp-ts/Option'
 * import type { AttemptContext } from 'schedule-ts/TaskEither'
 *
 * const context: AttemptContext<string> = { attempt: 2, signal: new AbortController().signal, lastError: O.some('503') }
 * assert.strictEqual(context.signal.aborted, false)
 * assert.deepStrictEqual(context.lastError, O.some('503'))
 *
 * @category model
 * @since 0.1.0
 */
export type AttemptContext<E = unknown> = Model.AttemptContext<E>

/**
 * What `onHedge` receives right before `hedge` launches attempt `attempt` (2, 3, ...): `delay` is
 * how long the launch waited after the previous one (the schedule's delay, or less when a failure
 * brought the launch forward), `elapsed` the time since the first attempt started.
 *
 * @example
 * import type { HedgeEvent } from 'schedule-ts/TaskEither'
 *
 * const log = (e: HedgeEvent) => `attempt ${e.attempt} launched after ${e.delay} ms (${e.elapsed} ms in)`
 * assert.strictEqual(log({ attempt: 2, delay: 50, elapsed: 50 }), 'attempt 2 launched after 50 ms (50 ms in)')
 *
 * @category model
 * @since 0.2.0
 */
export interface HedgeEvent {
  readonly attempt: number
  readonly delay: number
  readonly elapsed: number
}

/**
 * The options of `hedge`: those of `retry` but for the listeners, and `onHedge`, told right before
 * each launch after the first (and awaited when it returns a promise). `budget` is asked when a
 * launch is due, and a denial stops launching; `attemptTimeout` applies to each attempt.
 *
 * @example
 * import type { HedgeOptions } from 'schedule-ts/TaskEither'
 *
 * const launches: Array<number> = []
 * const options: HedgeOptions = { onHedge: (e) => void launches.push(e.attempt), attemptTimeout: 2000 }
 * assert.strictEqual(typeof options.onHedge, 'function')
 *
 * @category model
 * @since 0.2.0
 */
export interface HedgeOptions {
  readonly clock?: Clock | undefined
  readonly random?: (() => number) | undefined
  readonly signal?: AbortSignal | undefined
  readonly onHedge?: ((event: HedgeEvent) => void) | undefined
  readonly budget?: Budget | undefined
  readonly attemptTimeout?: number | undefined
}

/**
 * The error type of a run given options of type `O`: `E`, plus `Interrupted<E>` when `O` may hold a
 * signal, plus `AttemptTimeout` when it may hold an attempt timeout.
 *
 * @example
 * import type { RetryError } from 'schedule-ts/TaskEither'
 *
 * const plain: RetryError<string, {}> = 'boom'
 * const aborted: RetryError<string, { signal: AbortSignal }> = { _tag: 'Interrupted', lastError: { _tag: 'None' } }
 * assert.ok(plain && aborted)
 *
 * @category model
 * @since 0.1.0
 */
export type RetryError<E, O> =
  | E
  | ('signal' extends keyof O ? (O['signal' & keyof O] extends undefined ? never : Interrupted<E>) : never)
  | ('attemptTimeout' extends keyof O
      ? O['attemptTimeout' & keyof O] extends undefined
        ? never
        : AttemptTimeout
      : never)

/**
 * Options that set no attempt timeout. Runners are typed in two ways: without a timeout the schedule
 * is stepped with the errors of the computation only; with one, it is also stepped with
 * `AttemptTimeout` failures, so its input type must accept them.
 *
 * @example
 * import type { NoTimeout } from 'schedule-ts/TaskEither'
 *
 * const options: NoTimeout = {}
 * assert.strictEqual(options.attemptTimeout, undefined)
 *
 * @category model
 * @since 0.1.0
 */
export interface NoTimeout {
  readonly attemptTimeout?: undefined
}

// -------------------------------------------------------------------------------------
// refinements
// -------------------------------------------------------------------------------------

/**
 * Tells whether an error is the `Interrupted` failure of an aborted run.
 *
 * @example
 * import * as O from 'fp-ts/Option'
 * import { isInterrupted } from 'schedule-ts/TaskEither'
 *
 * assert.strictEqual(isInterrupted({ _tag: 'Interrupted', lastError: O.none }), true)
 * assert.strictEqual(isInterrupted(new Error('503')), false)
 *
 * @category refinements
 * @since 0.1.0
 */
export const isInterrupted = (u: unknown): u is Interrupted<unknown> =>
  typeof u === 'object' && u !== null && (u as { _tag?: unknown })._tag === 'Interrupted' && 'lastError' in u

/**
 * Tells whether an error is the `AttemptTimeout` failure of an attempt that ran too long.
 *
 * @example
 * import { isAttemptTimeout } from 'schedule-ts/TaskEither'
 *
 * assert.strictEqual(isAttemptTimeout({ _tag: 'AttemptTimeout', attempt: 1, timeout: 100 }), true)
 * assert.strictEqual(isAttemptTimeout('timeout'), false)
 *
 * @category refinements
 * @since 0.1.0
 */
export const isAttemptTimeout = (u: unknown): u is AttemptTimeout =>
  typeof u === 'object' && u !== null && (u as { _tag?: unknown })._tag === 'AttemptTimeout' && 'timeout' in u

// -------------------------------------------------------------------------------------
// running
// -------------------------------------------------------------------------------------

/**
 * Retries a `TaskEither` while it fails and the schedule continues; the result is the first
 * `Right`, or the last `Left` when the schedule is done.
 *
 * The schedule is stepped with each error, so `whileInput` can keep permanent errors from being
 * retried. `recurs(n)` / `maxRetries(n)` allow n retries, n + 1 attempts in all. The returned
 * function can be reused for any number of calls, even concurrently: each run starts the schedule
 * from its initial state.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as TE from 'fp-ts/TaskEither'
 * import * as S from 'schedule-ts/Schedule'
 * import * as Retry from 'schedule-ts/TaskEither'
 * import * as TestClock from 'schedule-ts/TestClock'
 *
 * let calls = 0
 * const flaky: TE.TaskEither<string, string> = () => Promise.resolve(++calls < 3 ? TE.left('503')() : TE.right('ok')())
 * const clock = TestClock.make()
 * const result = pipe(flaky, Retry.retry(pipe(S.exponential(100), S.maxRetries(5)), { clock }))()
 * void clock.runAll().then(() => result).then((r) => {
 *   assert.deepStrictEqual(r, { _tag: 'Right', right: 'ok' })
 *   assert.deepStrictEqual(clock.sleeps, [100, 200])
 * })
 *
 * @category running
 * @since 0.1.0
 */
export const retry: {
  <In, Out, O extends RetryOptions<never, never> & NoTimeout = {}>(
    schedule: Schedule<In, Out>,
    options?: O & RetryOptions<In, Out>
  ): <E extends In, A>(fa: TaskEither<E, A>) => TaskEither<RetryError<E, O>, A>
  <In, Out, O extends RetryOptions<never, never>>(
    schedule: Schedule<In | AttemptTimeout, Out>,
    options: O & RetryOptions<In | AttemptTimeout, Out>
  ): <E extends In, A>(fa: TaskEither<E, A>) => TaskEither<RetryError<E, O>, A>
} = (schedule: Schedule<never, unknown>, options?: RunOptions) => {
  const resolved = plan('TaskEither.retry', retrying, schedule, options)
  // a TaskEither ignores the arguments an attempt is called with: it is an Attempt as it is
  return (fa: TaskEither<unknown, unknown>) =>
    prepare(resolved, checkFunction('TaskEither.retry', 'fa', fa) as Attempt) as TaskEither<never, never>
}

/**
 * Retries like `retry`, but when the schedule (or the budget) gives up, runs `orElse` with the last
 * error and the run's status instead of failing.
 *
 * Use it for a fallback (a cache, a default) or to turn the last error into a richer one that
 * says how many attempts were made.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as TE from 'fp-ts/TaskEither'
 * import * as S from 'schedule-ts/Schedule'
 * import * as Retry from 'schedule-ts/TaskEither'
 *
 * const alwaysDown: TE.TaskEither<string, string> = TE.left('503')
 * const withFallback = Retry.retryOrElse(S.recurs(2), (error, status) =>
 *   TE.right(`cached (after ${status.attempts} attempts, last error ${error})`)
 * )
 * void pipe(alwaysDown, withFallback)().then((r) => {
 *   assert.deepStrictEqual(r, { _tag: 'Right', right: 'cached (after 3 attempts, last error 503)' })
 * })
 *
 * @category running
 * @since 0.1.0
 */
export const retryOrElse: {
  <In, Out, E2, B, O extends RetryOptions<never, never> & NoTimeout = {}>(
    schedule: Schedule<In, Out>,
    orElse: (error: In, status: RetryStatus) => TaskEither<E2, B>,
    options?: O & RetryOptions<In, Out>
  ): <E extends In, A>(fa: TaskEither<E, A>) => TaskEither<Exclude<RetryError<E, O>, E> | E2, A | B>
  <In, Out, E2, B, O extends RetryOptions<never, never>>(
    schedule: Schedule<In | AttemptTimeout, Out>,
    orElse: (error: In | AttemptTimeout, status: RetryStatus) => TaskEither<E2, B>,
    options: O & RetryOptions<In | AttemptTimeout, Out>
  ): <E extends In, A>(fa: TaskEither<E, A>) => TaskEither<Exclude<RetryError<E, O>, E | AttemptTimeout> | E2, A | B>
} = (
  schedule: Schedule<never, unknown>,
  orElse: (error: unknown, status: RetryStatus) => TaskEither<unknown, unknown>,
  options?: RunOptions
) => {
  const fallback = fallbackTo('TaskEither.retryOrElse', orElse)
  const resolved = plan('TaskEither.retryOrElse', retrying, schedule, options, fallback)
  return (fa: TaskEither<unknown, unknown>) =>
    prepare(resolved, checkFunction('TaskEither.retryOrElse', 'fa', fa) as Attempt) as TaskEither<never, never>
}

/**
 * Retries every call of a function that returns a `TaskEither`: `retryK(schedule)(f)` has `f`'s
 * parameters and runs `retry(schedule)(f(...args))` for each call.
 *
 * It is the decorator form, by currying: wrap a client's methods once where they are defined.
 *
 * @example
 * import * as TE from 'fp-ts/TaskEither'
 * import * as S from 'schedule-ts/Schedule'
 * import * as Retry from 'schedule-ts/TaskEither'
 *
 * const seen: Array<string> = []
 * const getUser = (id: string): TE.TaskEither<string, string> => () => {
 *   seen.push(id)
 *   return Promise.resolve(seen.length < 2 ? TE.left('timeout')() : TE.right(`user ${id}`)())
 * }
 * const getUserWithRetry = Retry.retryK(S.recurs(3))(getUser)
 * void getUserWithRetry('42')().then((r) => {
 *   assert.deepStrictEqual(r, { _tag: 'Right', right: 'user 42' })
 *   assert.deepStrictEqual(seen, ['42', '42'])
 * })
 *
 * @category running
 * @since 0.1.0
 */
export const retryK: {
  <In, Out, O extends RetryOptions<never, never> & NoTimeout = {}>(
    schedule: Schedule<In, Out>,
    options?: O & RetryOptions<In, Out>
  ): <Args extends ReadonlyArray<unknown>, E extends In, A>(
    f: (...args: Args) => TaskEither<E, A>
  ) => (...args: Args) => TaskEither<RetryError<E, O>, A>
  <In, Out, O extends RetryOptions<never, never>>(
    schedule: Schedule<In | AttemptTimeout, Out>,
    options: O & RetryOptions<In | AttemptTimeout, Out>
  ): <Args extends ReadonlyArray<unknown>, E extends In, A>(
    f: (...args: Args) => TaskEither<E, A>
  ) => (...args: Args) => TaskEither<RetryError<E, O>, A>
} = (schedule: Schedule<never, unknown>, options?: RunOptions) => {
  const retrying = retry(schedule as Schedule<unknown, unknown>, options as RetryOptions<unknown, unknown>)
  return <Args extends ReadonlyArray<unknown>>(f: (...args: Args) => TaskEither<unknown, unknown>) => {
    checkFunction('TaskEither.retryK', 'f', f)
    return (...args: Args) => retrying(f(...args)) as TaskEither<never, never>
  }
}

/**
 * Retries a computation that sees its attempt number (1-based) and an `AbortSignal` that aborts
 * when the whole run is aborted or when this attempt times out.
 *
 * Use it with `attemptTimeout` and an API that takes a signal (`fetch`), so that an attempt that
 * ran too long is really cancelled rather than left running.
 *
 * @example
 * import * as TE from 'fp-ts/TaskEither'
 * import * as S from 'schedule-ts/Schedule'
 * import * as Retry from 'schedule-ts/TaskEither'
 *
 * const attempts: Array<number> = []
 * const program = Retry.retryWithContext(S.recurs(2))(({ attempt, signal }) => {
 *   attempts.push(attempt)
 *   return signal.aborted ? TE.left('aborted') : attempt < 3 ? TE.left('busy') : TE.right('done')
 * })
 * void program().then((r) => {
 *   assert.deepStrictEqual(r, { _tag: 'Right', right: 'done' })
 *   assert.deepStrictEqual(attempts, [1, 2, 3])
 * })
 *
 * @category running
 * @since 0.1.0
 */
export const retryWithContext: {
  <In, Out, O extends RetryOptions<never, never> & NoTimeout = {}>(
    schedule: Schedule<In, Out>,
    options?: O & RetryOptions<In, Out>
  ): <E extends In, A>(f: (context: AttemptContext<E>) => TaskEither<E, A>) => TaskEither<RetryError<E, O>, A>
  <In, Out, O extends RetryOptions<never, never>>(
    schedule: Schedule<In | AttemptTimeout, Out>,
    options: O & RetryOptions<In | AttemptTimeout, Out>
  ): <E extends In, A>(f: (context: AttemptContext<E>) => TaskEither<E, A>) => TaskEither<RetryError<E, O>, A>
} = (schedule: Schedule<never, unknown>, options?: RunOptions) => {
  const resolved = plan('TaskEither.retryWithContext', retrying, schedule, options)
  return (f: (context: AttemptContext<never>) => TaskEither<unknown, unknown>) =>
    prepare(resolved, withContext('TaskEither.retryWithContext', f)) as TaskEither<never, never>
}

/**
 * Repeats a `TaskEither` while it succeeds and the schedule continues; the result is the last
 * value, or the first `Left`, which ends the repeat at once.
 *
 * The schedule is stepped with each value, so `untilInput` can stop when a job reports it is
 * finished. `recurs(n)` means n repetitions, n + 1 runs in all.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as TE from 'fp-ts/TaskEither'
 * import * as S from 'schedule-ts/Schedule'
 * import * as Retry from 'schedule-ts/TaskEither'
 *
 * let progress = 0
 * const poll: TE.TaskEither<string, number> = () => Promise.resolve(TE.right((progress += 25))())
 * const untilComplete = pipe(S.constant(10), S.untilInput((p: number) => p >= 100))
 * void pipe(poll, Retry.repeat(untilComplete))().then((r) => {
 *   assert.deepStrictEqual(r, { _tag: 'Right', right: 100 })
 * })
 *
 * @category running
 * @since 0.1.0
 */
export const repeat = <In, Out, O extends RepeatOptions<never, never> = {}>(
  schedule: Schedule<In, Out>,
  options?: O & RepeatOptions<In, Out>
): (<E, A extends In>(fa: TaskEither<E, A>) => TaskEither<RetryError<E, O>, A>) => {
  const resolved = plan('TaskEither.repeat', repeating, schedule, options as RunOptions)
  return (fa) => prepare(resolved, checkFunction('TaskEither.repeat', 'fa', fa) as Attempt) as TaskEither<never, never>
}

/**
 * Runs a computation hedged: instead of waiting for an attempt to fail, it launches the next one in
 * parallel when the schedule says so, and the first `Right` wins.
 *
 * Attempt 1 starts at once; after each launch the schedule is stepped (with the error of the most
 * recent failed attempt, `undefined` while none has failed) and its delay is the wait before the
 * next launch. A failure while a launch is pending brings it forward: the decision is taken again
 * with that error, and launches at once or, if the schedule is done, never. The first `Right` wins
 * and every other attempt's signal aborts; when every launched attempt has failed and no launch
 * remains, the result is the `Left` that arrived last. `pipe(S.constant(50), S.maxRetries(2))`
 * launches at most 3 attempts, 50 ms apart.
 *
 * Use it for idempotent reads with a heavy latency tail (a replica that is sometimes slow), never
 * for writes or for an overloaded service: each launch is more load. Pick the delay from the
 * latency percentile you want to cut (the p95), and share a `budget` so that hedges stop in an
 * outage. `whileInput(isTransient)` stops launching after a permanent error; attempts already
 * running go on. Each attempt gets its number, a signal to pass on, and the last error.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as TE from 'fp-ts/TaskEither'
 * import * as S from 'schedule-ts/Schedule'
 * import * as Retry from 'schedule-ts/TaskEither'
 * import * as TestClock from 'schedule-ts/TestClock'
 *
 * const clock = TestClock.make()
 * // replica 1 answers in 1 s, replica 2 in 30 ms: the hedge launched at 50 ms wins at 80 ms
 * const read = Retry.hedge(pipe(S.constant(50), S.maxRetries(2)), { clock })(({ attempt, signal }) =>
 *   TE.tryCatch(async () => {
 *     await clock.sleep(attempt === 1 ? 1000 : 30, signal)
 *     return `replica ${attempt}`
 *   }, String)
 * )
 * const result = read()
 * void clock.runAll().then(async () => {
 *   assert.deepStrictEqual(await result, { _tag: 'Right', right: 'replica 2' })
 *   assert.strictEqual(clock.now(), 80)
 * })
 *
 * @category running
 * @since 0.2.0
 */
export const hedge: {
  <In, Out, O extends HedgeOptions & NoTimeout = {}>(
    schedule: Schedule<In | undefined, Out>,
    options?: O & HedgeOptions
  ): <E extends In, A>(f: (context: AttemptContext<E>) => TaskEither<E, A>) => TaskEither<RetryError<E, O>, A>
  <In, Out, O extends HedgeOptions>(
    schedule: Schedule<In | AttemptTimeout | undefined, Out>,
    options: O & HedgeOptions
  ): <E extends In, A>(f: (context: AttemptContext<E>) => TaskEither<E, A>) => TaskEither<RetryError<E, O>, A>
} = (schedule: Schedule<never, unknown>, options?: RunOptions) => {
  const resolved = plan('TaskEither.hedge', hedging, schedule, options)
  return (f: (context: AttemptContext<never>) => TaskEither<unknown, unknown>) => {
    const attempt = withContext('TaskEither.hedge', f)
    return (() => hedged(resolved, attempt)) as TaskEither<never, never>
  }
}

/**
 * The root entry point: each public module as a namespace.
 *
 * Prefer the module paths (`schedule-ts/Schedule`, `schedule-ts/TaskEither`, ...) in application
 * code; the root is convenient in scripts and REPLs, and bundlers drop what is not used.
 *
 * @since 0.1.0
 */

/**
 * Schedules: constructors, modifiers, limits, combinators, instances and `simulate`.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import { Schedule } from 'schedule-ts'
 *
 * assert.deepStrictEqual(pipe(Schedule.exponential(10), Schedule.maxRetries(2), Schedule.simulate({ steps: 5 })).length, 2)
 *
 * @category modules
 * @since 0.1.0
 */
export * as Schedule from './Schedule'

/**
 * Running schedules over `TaskEither`: `retry`, `retryOrElse`, `retryK`, `retryWithContext`, `repeat`.
 *
 * @example
 * import * as TE from 'fp-ts/TaskEither'
 * import { Schedule, TaskEither } from 'schedule-ts'
 *
 * void TaskEither.retry(Schedule.recurs(2))(TE.right(1))().then((r) => assert.deepStrictEqual(r, { _tag: 'Right', right: 1 }))
 *
 * @category modules
 * @since 0.1.0
 */
export * as TaskEither from './TaskEither'

/**
 * Running schedules over `ReaderTaskEither`, with the environment passed to every attempt.
 *
 * @example
 * import * as RTE from 'fp-ts/ReaderTaskEither'
 * import { ReaderTaskEither, Schedule } from 'schedule-ts'
 *
 * void ReaderTaskEither.retry(Schedule.recurs(2))(RTE.asks((n: number) => n + 1))(1)().then((r) =>
 *   assert.deepStrictEqual(r, { _tag: 'Right', right: 2 })
 * )
 *
 * @category modules
 * @since 0.1.0
 */
export * as ReaderTaskEither from './ReaderTaskEither'

/**
 * The `Clock` interface and the live clock.
 *
 * @example
 * import { Clock } from 'schedule-ts'
 *
 * assert.strictEqual(typeof Clock.live.now(), 'number')
 *
 * @category modules
 * @since 0.1.0
 */
export * as Clock from './Clock'

/**
 * A virtual clock for deterministic tests.
 *
 * @example
 * import { TestClock } from 'schedule-ts'
 *
 * assert.strictEqual(TestClock.make(100).now(), 100)
 *
 * @category modules
 * @since 0.1.0
 */
export * as TestClock from './TestClock'

/**
 * Retry budgets shared across calls.
 *
 * @example
 * import type { Budget } from 'schedule-ts'
 *
 * const unlimited: Budget.Budget = { onRequest: () => {}, onSuccess: () => {}, onFailure: () => {}, tryRetry: () => true }
 * assert.strictEqual(unlimited.tryRetry(), true)
 *
 * @category modules
 * @since 0.1.0
 */
export * as Budget from './Budget'

/**
 * Policies as data: io-ts codecs for durations, schedule configs and gRPC's `retryPolicy`.
 *
 * @example
 * import { Config } from 'schedule-ts'
 *
 * assert.strictEqual(Config.decode({ exponential: { base: '100ms' }, maxRetries: 3 })._tag, 'Right')
 *
 * @category modules
 * @since 0.1.0
 */
export * as Config from './Config'

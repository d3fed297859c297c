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

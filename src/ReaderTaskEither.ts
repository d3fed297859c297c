/**
 * Runs a `Schedule` over a `ReaderTaskEither`: the same functions as `schedule-ts/TaskEither`, with
 * the environment passed to every attempt. Options, results and errors are those of the
 * `TaskEither` module.
 *
 * @since 0.1.0
 */
import type { ReaderTaskEither } from 'fp-ts/ReaderTaskEither'
import type { TaskEither } from 'fp-ts/TaskEither'
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
import type { Schedule } from './Schedule'
import * as TE from './TaskEither'

/**
 * Retries a `ReaderTaskEither` while it fails and the schedule continues, giving every attempt the
 * same environment; the result is the first `Right`, or the last `Left`.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as RTE from 'fp-ts/ReaderTaskEither'
 * import * as TE from 'fp-ts/TaskEither'
 * import * as Retry from 'schedule-ts/ReaderTaskEither'
 * import * as S from 'schedule-ts/Schedule'
 *
 * interface Env { readonly db: { readonly query: () => TE.TaskEither<string, number> } }
 * let calls = 0
 * const env: Env = { db: { query: () => () => Promise.resolve(++calls < 3 ? TE.left('busy')() : TE.right(42)()) } }
 * const count: RTE.ReaderTaskEither<Env, string, number> = (r) => r.db.query()
 * void pipe(count, Retry.retry(S.recurs(5)))(env)().then((result) => {
 *   assert.deepStrictEqual(result, { _tag: 'Right', right: 42 })
 *   assert.strictEqual(calls, 3)
 * })
 *
 * @category running
 * @since 0.1.0
 */
export const retry: {
  <In, Out, O extends TE.RetryOptions<never, never> & TE.NoTimeout = {}>(
    schedule: Schedule<In, Out>,
    options?: O & TE.RetryOptions<In, Out>
  ): <R, E extends In, A>(fa: ReaderTaskEither<R, E, A>) => ReaderTaskEither<R, TE.RetryError<E, O>, A>
  <In, Out, O extends TE.RetryOptions<never, never>>(
    schedule: Schedule<In | TE.AttemptTimeout, Out>,
    options: O & TE.RetryOptions<In | TE.AttemptTimeout, Out>
  ): <R, E extends In, A>(fa: ReaderTaskEither<R, E, A>) => ReaderTaskEither<R, TE.RetryError<E, O>, A>
} = (schedule: Schedule<never, unknown>, options?: RunOptions) => {
  const resolved = plan('ReaderTaskEither.retry', retrying, schedule, options)
  return <R>(fa: ReaderTaskEither<R, unknown, unknown>) => {
    checkFunction('ReaderTaskEither.retry', 'fa', fa)
    return (r: R) => prepare(resolved, fa(r) as Attempt) as TaskEither<never, never>
  }
}

/**
 * Retries like `retry`, then runs `orElse` with the last error and the run's status when the
 * schedule (or the budget) gives up.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as RTE from 'fp-ts/ReaderTaskEither'
 * import * as TE from 'fp-ts/TaskEither'
 * import * as Retry from 'schedule-ts/ReaderTaskEither'
 * import * as S from 'schedule-ts/Schedule'
 *
 * const down: RTE.ReaderTaskEither<{ readonly fallback: string }, string, string> = () => TE.left('503')
 * const program = pipe(down, Retry.retryOrElse(S.recurs(1), (e, status) => TE.right(`${e} after ${status.attempts} attempts`)))
 * void program({ fallback: 'x' })().then((r) => {
 *   assert.deepStrictEqual(r, { _tag: 'Right', right: '503 after 2 attempts' })
 * })
 *
 * @category running
 * @since 0.1.0
 */
export const retryOrElse: {
  <In, Out, E2, B, O extends TE.RetryOptions<never, never> & TE.NoTimeout = {}>(
    schedule: Schedule<In, Out>,
    orElse: (error: In, status: TE.RetryStatus) => TaskEither<E2, B>,
    options?: O & TE.RetryOptions<In, Out>
  ): <R, E extends In, A>(
    fa: ReaderTaskEither<R, E, A>
  ) => ReaderTaskEither<R, Exclude<TE.RetryError<E, O>, E> | E2, A | B>
  <In, Out, E2, B, O extends TE.RetryOptions<never, never>>(
    schedule: Schedule<In | TE.AttemptTimeout, Out>,
    orElse: (error: In | TE.AttemptTimeout, status: TE.RetryStatus) => TaskEither<E2, B>,
    options: O & TE.RetryOptions<In | TE.AttemptTimeout, Out>
  ): <R, E extends In, A>(
    fa: ReaderTaskEither<R, E, A>
  ) => ReaderTaskEither<R, Exclude<TE.RetryError<E, O>, E | TE.AttemptTimeout> | E2, A | B>
} = (
  schedule: Schedule<never, unknown>,
  orElse: (error: never, status: TE.RetryStatus) => TaskEither<unknown, unknown>,
  options?: RunOptions
) => {
  const fallback = fallbackTo('ReaderTaskEither.retryOrElse', orElse)
  const resolved = plan('ReaderTaskEither.retryOrElse', retrying, schedule, options, fallback)
  return <R>(fa: ReaderTaskEither<R, unknown, unknown>) => {
    checkFunction('ReaderTaskEither.retryOrElse', 'fa', fa)
    return (r: R) => prepare(resolved, fa(r) as Attempt) as TaskEither<never, never>
  }
}

/**
 * Retries every call of a function that returns a `ReaderTaskEither`, keeping its parameters.
 *
 * @example
 * import * as RTE from 'fp-ts/ReaderTaskEither'
 * import * as Retry from 'schedule-ts/ReaderTaskEither'
 * import * as S from 'schedule-ts/Schedule'
 *
 * const lookup = (id: number): RTE.ReaderTaskEither<{ readonly prefix: string }, string, string> =>
 *   RTE.asks((env) => `${env.prefix}${id}`)
 * void Retry.retryK(S.recurs(2))(lookup)(7)({ prefix: 'user-' })().then((r) => {
 *   assert.deepStrictEqual(r, { _tag: 'Right', right: 'user-7' })
 * })
 *
 * @category running
 * @since 0.1.0
 */
export const retryK: {
  <In, Out, O extends TE.RetryOptions<never, never> & TE.NoTimeout = {}>(
    schedule: Schedule<In, Out>,
    options?: O & TE.RetryOptions<In, Out>
  ): <Args extends ReadonlyArray<unknown>, R, E extends In, A>(
    f: (...args: Args) => ReaderTaskEither<R, E, A>
  ) => (...args: Args) => ReaderTaskEither<R, TE.RetryError<E, O>, A>
  <In, Out, O extends TE.RetryOptions<never, never>>(
    schedule: Schedule<In | TE.AttemptTimeout, Out>,
    options: O & TE.RetryOptions<In | TE.AttemptTimeout, Out>
  ): <Args extends ReadonlyArray<unknown>, R, E extends In, A>(
    f: (...args: Args) => ReaderTaskEither<R, E, A>
  ) => (...args: Args) => ReaderTaskEither<R, TE.RetryError<E, O>, A>
} = (schedule: Schedule<unknown, unknown>, options?: TE.RetryOptions<unknown, unknown>) => {
  const retrying = retry(schedule, options as TE.RetryOptions<unknown, unknown>)
  return <Args extends ReadonlyArray<unknown>, R>(f: (...args: Args) => ReaderTaskEither<R, unknown, unknown>) => {
    checkFunction('ReaderTaskEither.retryK', 'f', f)
    return (...args: Args) => retrying(f(...args)) as ReaderTaskEither<R, never, never>
  }
}

/**
 * Retries a computation that sees the environment, its attempt number and an `AbortSignal` that
 * aborts when the run is aborted or the attempt times out.
 *
 * @example
 * import * as TE from 'fp-ts/TaskEither'
 * import * as Retry from 'schedule-ts/ReaderTaskEither'
 * import * as S from 'schedule-ts/Schedule'
 *
 * const program = Retry.retryWithContext(S.recurs(3))(({ attempt }) => (env: { readonly okAt: number }) =>
 *   attempt < env.okAt ? TE.left('busy') : TE.right(attempt)
 * )
 * void program({ okAt: 2 })().then((r) => {
 *   assert.deepStrictEqual(r, { _tag: 'Right', right: 2 })
 * })
 *
 * @category running
 * @since 0.1.0
 */
export const retryWithContext: {
  <In, Out, O extends TE.RetryOptions<never, never> & TE.NoTimeout = {}>(
    schedule: Schedule<In, Out>,
    options?: O & TE.RetryOptions<In, Out>
  ): <R, E extends In, A>(
    f: (context: TE.AttemptContext<E>) => ReaderTaskEither<R, E, A>
  ) => ReaderTaskEither<R, TE.RetryError<E, O>, A>
  <In, Out, O extends TE.RetryOptions<never, never>>(
    schedule: Schedule<In | TE.AttemptTimeout, Out>,
    options: O & TE.RetryOptions<In | TE.AttemptTimeout, Out>
  ): <R, E extends In, A>(
    f: (context: TE.AttemptContext<E>) => ReaderTaskEither<R, E, A>
  ) => ReaderTaskEither<R, TE.RetryError<E, O>, A>
} = (schedule: Schedule<never, unknown>, options?: RunOptions) => {
  const resolved = plan('ReaderTaskEither.retryWithContext', retrying, schedule, options)
  return <R>(f: (context: TE.AttemptContext<never>) => ReaderTaskEither<R, unknown, unknown>) => {
    checkFunction('ReaderTaskEither.retryWithContext', 'f', f)
    return (r: R) =>
      prepare(
        resolved,
        withContext('ReaderTaskEither.retryWithContext', (context) => f(context)(r))
      ) as TaskEither<never, never>
  }
}

/**
 * Repeats a `ReaderTaskEither` while it succeeds and the schedule continues, giving every run the
 * same environment; the result is the last value, or the first `Left`.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as RTE from 'fp-ts/ReaderTaskEither'
 * import * as Retry from 'schedule-ts/ReaderTaskEither'
 * import * as S from 'schedule-ts/Schedule'
 *
 * let ticks = 0
 * const tick: RTE.ReaderTaskEither<{ readonly step: number }, never, number> = (env) => () =>
 *   Promise.resolve({ _tag: 'Right', right: (ticks += env.step) })
 * void pipe(tick, Retry.repeat(S.recurs(2)))({ step: 5 })().then((r) => {
 *   assert.deepStrictEqual(r, { _tag: 'Right', right: 15 })
 * })
 *
 * @category running
 * @since 0.1.0
 */
export const repeat = <In, Out, O extends TE.RepeatOptions<never, never> = {}>(
  schedule: Schedule<In, Out>,
  options?: O & TE.RepeatOptions<In, Out>
): (<R, E, A extends In>(fa: ReaderTaskEither<R, E, A>) => ReaderTaskEither<R, TE.RetryError<E, O>, A>) => {
  const resolved = plan('ReaderTaskEither.repeat', repeating, schedule, options as RunOptions)
  return (fa) => {
    checkFunction('ReaderTaskEither.repeat', 'fa', fa)
    return (r) => prepare(resolved, fa(r) as Attempt) as TaskEither<never, never>
  }
}

/**
 * `TaskEither.hedge` for a computation that reads an environment: launches the next attempt in
 * parallel when the schedule says so, and the first `Right` wins; every attempt reads the same
 * environment.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as TE from 'fp-ts/TaskEither'
 * import * as Hedge from 'schedule-ts/ReaderTaskEither'
 * import * as S from 'schedule-ts/Schedule'
 * import * as TestClock from 'schedule-ts/TestClock'
 *
 * interface Env { readonly replicas: ReadonlyArray<number> }
 * const clock = TestClock.make()
 * const read = Hedge.hedge(pipe(S.constant(50), S.maxRetries(1)), { clock })(
 *   ({ attempt, signal }) =>
 *     (env: Env) =>
 *       TE.tryCatch(async () => {
 *         await clock.sleep(env.replicas[attempt - 1], signal)
 *         return attempt
 *       }, String)
 * )
 * const result = read({ replicas: [500, 20] })()
 * void clock.runAll().then(async () => assert.deepStrictEqual(await result, { _tag: 'Right', right: 2 }))
 *
 * @category running
 * @since 0.2.0
 */
export const hedge: {
  <In, Out, O extends TE.HedgeOptions & TE.NoTimeout = {}>(
    schedule: Schedule<In | undefined, Out>,
    options?: O & TE.HedgeOptions
  ): <R, E extends In, A>(
    f: (context: TE.AttemptContext<E>) => ReaderTaskEither<R, E, A>
  ) => ReaderTaskEither<R, TE.RetryError<E, O>, A>
  <In, Out, O extends TE.HedgeOptions>(
    schedule: Schedule<In | TE.AttemptTimeout | undefined, Out>,
    options: O & TE.HedgeOptions
  ): <R, E extends In, A>(
    f: (context: TE.AttemptContext<E>) => ReaderTaskEither<R, E, A>
  ) => ReaderTaskEither<R, TE.RetryError<E, O>, A>
} = (schedule: Schedule<never, unknown>, options?: RunOptions) => {
  const resolved = plan('ReaderTaskEither.hedge', hedging, schedule, options)
  return <R>(f: (context: TE.AttemptContext<never>) => ReaderTaskEither<R, unknown, unknown>) => {
    checkFunction('ReaderTaskEither.hedge', 'f', f)
    return (r: R) => {
      const attempt = withContext('ReaderTaskEither.hedge', (context) => f(context)(r))
      return (() => hedged(resolved, attempt)) as TaskEither<never, never>
    }
  }
}

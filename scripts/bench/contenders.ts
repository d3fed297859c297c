/**
 * The libraries compared by the benchmark, each adapted to the same scenarios and, as far as its
 * API allows, to the same policy. Every adapter wraps the same operations: a call that settles at
 * once (a resolved promise), failing with one preallocated error so no library pays for stack traces.
 *
 * bench.ts does not import this file: it bundles it with esbuild (as tsup builds the package, without
 * `keepNames`) and loads the bundle, so that no contender runs code transformed by tsx, whose
 * `keepNames` wraps every named closure in a `__name(...)` call (an `Object.defineProperty` each time
 * the closure is created) and would slow down schedule-ts, p-retry and Effect but not the CJS peers.
 */
import { ConstantBackoff, ExponentialBackoff, handleAll, retry as cockatielRetry } from 'cockatiel'
import type { IRetryBackoffContext } from 'cockatiel'
import { backOff } from 'exponential-backoff'
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import * as O from 'fp-ts/Option'
import type { TaskEither } from 'fp-ts/TaskEither'
import pRetry from 'p-retry'
import { applyPolicy, constantDelay, defaultRetryStatus, exponentialBackoff, limitRetries, Monoid } from 'retry-ts'
import type { RetryPolicy, RetryStatus } from 'retry-ts'
import { retrying } from 'retry-ts/lib/Task'
import type * as EffectEffect from '../../node_modules/effect/dist/Effect.js'
import type * as EffectSchedule from '../../node_modules/effect/dist/Schedule.js'
import * as S from '../../src/Schedule'
import * as Retry from '../../src/TaskEither'

// effect is ESM-only and its types resolve only under node16/bundler resolution (tsconfig uses node):
// the types come from its dist by path; the modules are required by sub-path (esbuild bundles them)
const Effect = require('effect/Effect') as typeof EffectEffect
const Schedule = require('effect/Schedule') as typeof EffectSchedule

// -------------------------------------------------------------------------------------
// the operations
// -------------------------------------------------------------------------------------

/** The one failure every operation fails with (an `Error`, as p-retry requires). */
export const failure = new Error('503')
const left: E.Either<Error, number> = E.left(failure)
const right: E.Either<Error, number> = E.right(1)

/** A TaskEither that succeeds at once: the bare call of the happy path. */
export const succeedTE: TaskEither<Error, number> = () => Promise.resolve(right)
const succeedAsync = (): Promise<number> => Promise.resolve(1)

/** Tells, attempt by attempt, whether the attempt fails. */
export type Fails = () => boolean

const failingTE =
  (fails: Fails): TaskEither<Error, number> =>
  () =>
    Promise.resolve(fails() ? left : right)
const failingAsync = (fails: Fails) => (): Promise<number> => fails() ? Promise.reject(failure) : Promise.resolve(1)

/** Fails the first attempt only. */
const firstFails = (): Fails => {
  let first = true
  return () => (first ? !(first = false) : false)
}

// -------------------------------------------------------------------------------------
// the model
// -------------------------------------------------------------------------------------

/** Why a scenario does not apply to a library. */
export interface NotApplicable {
  readonly na: string
}

export interface Contender {
  readonly name: string
  /** The npm package measured, whose installed version is reported (none for the bare call). */
  readonly package?: string
  /** How the shared policy (exponential from 100 ms, factor 2, jitter, at most 5 retries) is written here. */
  readonly policy: string
  /** Builds, once, a call of the operation that succeeds at once under the shared policy. */
  readonly happy: () => () => Promise<unknown>
  /** Runs an operation that fails while `fails()` says so, with zero delays and at most `maxRetries` retries. */
  readonly zeroDelay: NotApplicable | ((fails: Fails, maxRetries: number) => Promise<unknown>)
  /**
   * Starts a call whose first attempt fails and whose single retry waits `delay` ms; the signal is
   * given to the library when it takes one.
   */
  readonly sleeping: NotApplicable | ((delay: number, signal: AbortSignal) => () => Promise<unknown>)
  /** The same, with the runner built for each call (each brings its own options), where that differs. */
  readonly sleepingRunnerPerCall?: (delay: number, signal: AbortSignal) => () => Promise<unknown>
  /** Whether an abort ends a sleep at once (`cancels`), only when the sleep ends, or cannot be asked for. */
  readonly abort: 'cancels' | { readonly afterSleep: string } | NotApplicable
  /** Steps one schedule (the shared policy, without its retry limit) `n` times; returns the last state. */
  readonly step: NotApplicable | ((n: number) => unknown)
  /** The source of a bundle entry that imports the shared policy and a retry, resolved from this folder. */
  readonly bundle: NotApplicable | string
}

export const isNotApplicable = (u: unknown): u is NotApplicable =>
  typeof u === 'object' && u !== null && typeof (u as NotApplicable).na === 'string'

// -------------------------------------------------------------------------------------
// schedule-ts
// -------------------------------------------------------------------------------------

const scheduleTs: Contender = {
  name: 'schedule-ts',
  package: 'schedule-ts',
  policy: 'pipe(exponential(100), jittered, maxRetries(5))',
  happy: () => {
    const withRetry = Retry.retry(pipe(S.exponential(100), S.jittered, S.maxRetries(5)))
    return withRetry(succeedTE)
  },
  zeroDelay: (fails, maxRetries) => Retry.retry(S.recurs(maxRetries))(failingTE(fails))(),
  sleeping: (delay, signal) => {
    const withRetry = Retry.retry(pipe(S.constant(delay), S.maxRetries(1)), { signal })
    return () => withRetry(failingTE(firstFails()))()
  },
  sleepingRunnerPerCall: (delay, signal) => {
    const policy = pipe(S.constant(delay), S.maxRetries(1))
    return () => Retry.retry(policy, { signal })(failingTE(firstFails()))()
  },
  abort: 'cancels',
  step: (n) => {
    const schedule = pipe(S.exponential(100), S.jittered, S.maxRetries(n))
    let state = schedule.initial
    for (let i = 0; i < n; i++) {
      const step = schedule.step(failure, { now: i, start: 0, random: Math.random }, state)
      if (step._tag === 'Done') throw new Error('schedule-ts: done too early')
      state = step.state
    }
    return state
  },
  bundle: `
    import { pipe } from 'fp-ts/function'
    import { retry } from '../../src/TaskEither'
    import { exponential, jittered, maxRetries } from '../../src/Schedule'
    export const withRetry = retry(pipe(exponential(100), jittered, maxRetries(5)))
  `
}

// -------------------------------------------------------------------------------------
// retry-ts
// -------------------------------------------------------------------------------------

// retry-ts has no jitter: a policy is a function, so the user writes it (as the bundle entry does)
const jitteredPolicy =
  (policy: RetryPolicy): RetryPolicy =>
  (status) =>
    pipe(
      policy(status),
      O.map((d) => d * (0.8 + Math.random() * 0.4))
    )

const retryTs: Contender = {
  name: 'retry-ts',
  package: 'retry-ts',
  policy: 'Monoid.concat(jittered(exponentialBackoff(100)), limitRetries(5)), jittered written by hand',
  happy: () =>
    retrying(Monoid.concat(jitteredPolicy(exponentialBackoff(100)), limitRetries(5)), () => succeedTE, E.isLeft),
  zeroDelay: (fails, maxRetries) => {
    const te = failingTE(fails)
    return retrying(limitRetries(maxRetries), () => te, E.isLeft)()
  },
  sleeping: (delay) => {
    const policy = Monoid.concat(constantDelay(delay), limitRetries(1))
    return () => {
      const te = failingTE(firstFails())
      return retrying(policy, () => te, E.isLeft)()
    }
  },
  abort: { na: 'no AbortSignal option' },
  step: (n) => {
    const policy = Monoid.concat(jitteredPolicy(exponentialBackoff(100)), limitRetries(n))
    let status: RetryStatus = defaultRetryStatus
    for (let i = 0; i < n; i++) {
      status = applyPolicy(policy, status)
    }
    return status
  },
  bundle: `
    import * as E from 'fp-ts/Either'
    import { pipe } from 'fp-ts/function'
    import * as O from 'fp-ts/Option'
    import { exponentialBackoff, limitRetries, Monoid } from 'retry-ts'
    import { retrying } from 'retry-ts/es6/Task'
    const jittered = (policy) => (status) => pipe(policy(status), O.map((d) => d * (0.8 + Math.random() * 0.4)))
    const policy = Monoid.concat(jittered(exponentialBackoff(100)), limitRetries(5))
    export const withRetry = (te) => retrying(policy, () => te, E.isLeft)
  `
}

// -------------------------------------------------------------------------------------
// p-retry
// -------------------------------------------------------------------------------------

const pRetryContender: Contender = {
  name: 'p-retry',
  package: 'p-retry',
  policy: '{ retries: 5, factor: 2, minTimeout: 100, randomize: true } (its jitter is x U(1, 2))',
  happy: () => {
    const options = { retries: 5, factor: 2, minTimeout: 100, randomize: true }
    return () => pRetry(succeedAsync, options)
  },
  zeroDelay: (fails, maxRetries) => pRetry(failingAsync(fails), { retries: maxRetries, minTimeout: 0 }),
  sleeping: (delay, signal) => {
    const options = { retries: 1, minTimeout: delay, factor: 1, signal }
    return () => pRetry(failingAsync(firstFails()), options)
  },
  abort: 'cancels',
  step: { na: 'no schedule value: the delay is computed inside the loop' },
  bundle: `
    import pRetry from 'p-retry'
    export const withRetry = (f) => pRetry(f, { retries: 5, factor: 2, minTimeout: 100, randomize: true })
  `
}

// -------------------------------------------------------------------------------------
// cockatiel
// -------------------------------------------------------------------------------------

const cockatiel: Contender = {
  name: 'cockatiel',
  package: 'cockatiel',
  policy:
    'retry(handleAll, { maxAttempts: 5, backoff: new ExponentialBackoff({ initialDelay: 100 }) }) (decorrelated jitter)',
  happy: () => {
    const policy = cockatielRetry(handleAll, { maxAttempts: 5, backoff: new ExponentialBackoff({ initialDelay: 100 }) })
    return () => policy.execute(succeedAsync)
  },
  zeroDelay: (fails, maxRetries) =>
    cockatielRetry(handleAll, { maxAttempts: maxRetries, backoff: new ConstantBackoff(0) }).execute(
      failingAsync(fails)
    ),
  sleeping: (delay, signal) => {
    const policy = cockatielRetry(handleAll, { maxAttempts: 1, backoff: new ConstantBackoff(delay) })
    return () => policy.execute(failingAsync(firstFails()), signal)
  },
  abort: { afterSleep: 'takes a signal, but its backoff sleep ignores it: the run ends when the sleep does' },
  step: (n) => {
    const context: IRetryBackoffContext<unknown> = {
      attempt: 1,
      signal: new AbortController().signal,
      result: { error: failure }
    }
    let backoff = new ExponentialBackoff({ initialDelay: 100 }).next()
    for (let i = 1; i < n; i++) {
      context.attempt = i + 1
      backoff = backoff.next(context)
    }
    return backoff
  },
  bundle: `
    import { ExponentialBackoff, handleAll, retry } from 'cockatiel'
    const policy = retry(handleAll, { maxAttempts: 5, backoff: new ExponentialBackoff({ initialDelay: 100 }) })
    export const withRetry = (f) => policy.execute(f)
  `
}

// -------------------------------------------------------------------------------------
// exponential-backoff
// -------------------------------------------------------------------------------------

const exponentialBackoffContender: Contender = {
  name: 'exponential-backoff',
  package: 'exponential-backoff',
  policy: "{ numOfAttempts: 6, startingDelay: 100, timeMultiple: 2, jitter: 'full' } (only full jitter)",
  happy: () => {
    const options = { numOfAttempts: 6, startingDelay: 100, timeMultiple: 2, jitter: 'full' as const }
    return () => backOff(succeedAsync, options)
  },
  zeroDelay: (fails, maxRetries) =>
    backOff(failingAsync(fails), { numOfAttempts: maxRetries + 1, startingDelay: 0, timeMultiple: 1 }),
  sleeping: (delay) => {
    const options = { numOfAttempts: 2, startingDelay: delay, timeMultiple: 1 }
    return () => backOff(failingAsync(firstFails()), options)
  },
  abort: { na: 'no AbortSignal option (its retry callback is asked only after the sleep)' },
  step: { na: 'no schedule value: the delay is computed inside the loop' },
  bundle: `
    import { backOff } from 'exponential-backoff'
    export const withRetry = (f) => backOff(f, { numOfAttempts: 6, startingDelay: 100, timeMultiple: 2, jitter: 'full' })
  `
}

// -------------------------------------------------------------------------------------
// Effect
// -------------------------------------------------------------------------------------

const effect: Contender = {
  name: 'effect',
  package: 'effect',
  policy: 'Schedule.exponential(100).pipe(Schedule.jittered, Schedule.upTo({ times: 5 })), run by Effect.runPromise',
  happy: () => {
    const policy = Schedule.exponential(100).pipe(Schedule.jittered, Schedule.upTo({ times: 5 }))
    const program = Effect.retry(Effect.tryPromise({ try: succeedAsync, catch: (e) => e }), policy)
    return () => Effect.runPromise(program)
  },
  zeroDelay: (fails, maxRetries) =>
    Effect.runPromise(
      Effect.retry(Effect.tryPromise({ try: failingAsync(fails), catch: (e) => e }), Schedule.recurs(maxRetries))
    ),
  sleeping: (delay, signal) => {
    const policy = Schedule.spaced(delay).pipe(Schedule.upTo({ times: 1 }))
    const options = { signal }
    return () =>
      Effect.runPromise(
        Effect.retry(Effect.tryPromise({ try: failingAsync(firstFails()), catch: (e) => e }), policy),
        options
      )
  },
  abort: 'cancels',
  step: (n) =>
    Effect.runSync(
      Effect.gen(function* () {
        const policy = Schedule.exponential(100).pipe(Schedule.jittered, Schedule.upTo({ times: n + 1 }))
        const step = yield* Schedule.toStep(policy)
        let last: unknown
        for (let i = 0; i < n; i++) {
          last = yield* step(i, failure)
        }
        return last
      })
    ),
  bundle: `
    import { Effect, Schedule } from 'effect'
    const policy = Schedule.exponential(100).pipe(Schedule.jittered, Schedule.upTo({ times: 5 }))
    export const withRetry = (f) => Effect.runPromise(Effect.retry(Effect.tryPromise({ try: f, catch: (e) => e }), policy))
  `
}

// -------------------------------------------------------------------------------------
// the bare call
// -------------------------------------------------------------------------------------

const notRetrying: NotApplicable = { na: 'no retries' }

/** The name of the bare call, the reference of the happy path. */
export const bareName = 'bare call'

// the least a sleep that can be aborted holds: a promise, a timer and an abort listener
const abortableSleep = (delay: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer)
      reject(signal.reason)
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort)
      resolve()
    }, delay)
    signal.addEventListener('abort', onAbort, { once: true })
  })

const bare: Contender = {
  name: bareName,
  policy: 'the TaskEither itself, no retry; for the sleep rows, a promise around setTimeout with an abort listener',
  happy: () => succeedTE,
  zeroDelay: notRetrying,
  sleeping: (delay, signal) => () => abortableSleep(delay, signal),
  abort: 'cancels',
  step: notRetrying,
  bundle: notRetrying
}

// the floor of the happy path: what any wrapper that looks at the result costs at least, the
// TaskEither and one `then` whose callback is built once
const lookAtResult = (result: E.Either<Error, number>): E.Either<Error, number> =>
  result._tag === 'Right' ? result : result

/** The name of the one-then floor, whose happy path schedule-ts's is compared with. */
export const floorName = 'one then (floor)'

const floor: Contender = {
  name: floorName,
  policy: 'the TaskEither and one then, with a callback built once: the least a wrapper that looks at the result costs',
  happy: () => () => succeedTE().then(lookAtResult),
  zeroDelay: notRetrying,
  sleeping: notRetrying,
  abort: notRetrying,
  step: notRetrying,
  bundle: notRetrying
}

/** Every contender, schedule-ts first (the ratios are to it), then the floor and the bare call. */
export const contenders: ReadonlyArray<Contender> = [
  scheduleTs,
  retryTs,
  pRetryContender,
  cockatiel,
  exponentialBackoffContender,
  effect,
  floor,
  bare
]

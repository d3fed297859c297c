/**
 * A `Schedule<In, Out>` is an immutable description of *when to try again*. It is stepped with an
 * input (the error, when retrying; the value, when repeating) and the current time, and answers
 * either "continue after `delay` ms, with output `out`" or "done".
 *
 * Schedules are built from constructors (`exponential`, `fibonacci`, ...), refined by delay
 * modifiers (`jittered`, `capDelay`, ...) and limits (`maxRetries`, `maxElapsed`, ...), and combined
 * with `intersect`, `union` and `andThen`. Everything is data-last and curried, so a policy reads
 * left to right in `pipe` and is written once, then shared by any number of concurrent runs: a
 * schedule holds no mutable state, every run starts from its `initial` state.
 *
 * Durations are milliseconds. Every constructor and modifier validates its arguments when it is
 * called and throws a `RangeError` naming the function and the argument.
 *
 * @since 0.1.0
 */
import type { Functor2 } from 'fp-ts/Functor'
import type { IO } from 'fp-ts/IO'
import type { Monoid } from 'fp-ts/Monoid'
import type { Option } from 'fp-ts/Option'
import type { Predicate } from 'fp-ts/Predicate'
import type { Profunctor2 } from 'fp-ts/Profunctor'
import * as B from './internal/build'
import { build, checkSelf, derive } from './internal/build'
import {
  checkCount,
  checkDuration,
  checkFactor,
  checkFunction,
  checkMultiplier,
  checkRange,
  clampDelay,
  MAX_DELAY
} from './internal/check'
import * as C from './internal/combinators'
import * as R from './internal/replay'
import { parseRetryAfter as parseRetryAfterHeader } from './internal/retryAfter'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * What a step sees besides its input: the current time, the time the run started (the start of the
 * first attempt), both in milliseconds, and the run's random source.
 *
 * `random()` returns a number in [0, 1). Use it instead of `Math.random` so a run can be replayed
 * with a seed (see `simulate`).
 *
 * @example
 * import * as S from 'schedule-ts/Schedule'
 *
 * // a schedule that waits until one second after the start of the first attempt
 * const untilOneSecond = S.make(0, (_: unknown, context: S.StepContext, n: number) =>
 *   S.continueAfter(Math.max(0, context.start + 1000 - context.now), n, n + 1)
 * )
 * const step = untilOneSecond.step(undefined, { now: 400, start: 0, random: Math.random }, untilOneSecond.initial)
 * assert.strictEqual(step._tag === 'Continue' && step.delay, 600)
 *
 * @category model
 * @since 0.1.0
 */
export interface StepContext {
  readonly now: number
  readonly start: number
  readonly random: () => number
}

/**
 * The decision to try again after `delay` milliseconds, with an `output` and the next `state`.
 *
 * @example
 * import * as S from 'schedule-ts/Schedule'
 *
 * const step: S.Step<number, string> = S.continueAfter(100, 'again', 1)
 * assert.strictEqual(step._tag === 'Continue' && step.delay, 100)
 *
 * @category model
 * @since 0.1.0
 */
export interface Continue<S, Out> {
  readonly _tag: 'Continue'
  readonly delay: number
  readonly output: Out
  readonly state: S
}

/**
 * The decision to stop.
 *
 * @example
 * import * as S from 'schedule-ts/Schedule'
 *
 * const step: S.Step<number, string> = S.done
 * assert.strictEqual(S.isDone(step), true)
 *
 * @category model
 * @since 0.1.0
 */
export interface Done {
  readonly _tag: 'Done'
}

/**
 * The result of stepping a schedule: `Continue` or `Done`.
 *
 * @example
 * import * as S from 'schedule-ts/Schedule'
 *
 * const describe = (step: S.Step<unknown, number>): string =>
 *   step._tag === 'Done' ? 'give up' : `retry in ${step.delay} ms`
 * assert.strictEqual(describe(S.continueAfter(250, 0, null)), 'retry in 250 ms')
 * assert.strictEqual(describe(S.done), 'give up')
 *
 * @category model
 * @since 0.1.0
 */
export type Step<S, Out> = Continue<S, Out> | Done

/**
 * A schedule: an `initial` state and a `step` function from an input, the step context and the
 * current state to the next `Step`.
 *
 * The state type is hidden (`unknown`): a combinator written outside the library steps the
 * schedules it wraps by passing back the states they returned, exactly as the built-in ones do.
 * `In` is what the schedule is stepped with (the error when retrying), `Out` what it outputs.
 *
 * @example
 * import * as S from 'schedule-ts/Schedule'
 *
 * // step a schedule by hand, as a driver does
 * const policy: S.Schedule<unknown, number> = S.exponential(100)
 * const context = { now: 0, start: 0, random: Math.random }
 * const first = policy.step(undefined, context, policy.initial)
 * assert.ok(first._tag === 'Continue')
 * const second = policy.step(undefined, context, first.state)
 * assert.strictEqual(second._tag === 'Continue' && second.delay, 200)
 *
 * @category model
 * @since 0.1.0
 */
export interface Schedule<In, Out> {
  readonly initial: unknown
  readonly step: (input: In, context: StepContext, state: unknown) => Step<unknown, Out>
}

/**
 * One decision of a simulated run, as returned by `simulate`.
 *
 * `attempt` is the recurrence number (1 for the first retry), `delay` the chosen delay, `output` the
 * schedule's output and `elapsed` the time since the start of the first attempt at the moment of the
 * decision (before the delay).
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as S from 'schedule-ts/Schedule'
 *
 * const [first]: ReadonlyArray<S.SimulationStep<number>> = pipe(S.constant(10), S.simulate({ steps: 1 }))
 * assert.deepStrictEqual(first, { attempt: 1, delay: 10, output: 0, elapsed: 0 })
 *
 * @category model
 * @since 0.1.0
 */
export interface SimulationStep<Out> {
  readonly attempt: number
  readonly delay: number
  readonly output: Out
  readonly elapsed: number
}

/**
 * The options of `simulate`.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as S from 'schedule-ts/Schedule'
 *
 * const options: S.SimulationOptions<number> = { steps: 10, inputs: [503, 503], seed: 1, attemptDuration: 20 }
 * assert.strictEqual(pipe(S.forever, S.simulate(options)).length, 2)
 *
 * @category model
 * @since 0.1.0
 */
export interface SimulationOptions<In> {
  /** How many decisions to take at most. */
  readonly steps: number
  /** The inputs to step with, one per decision; the simulation ends when they run out. */
  readonly inputs?: ReadonlyArray<In>
  /** The seed of the random source (default 0); ignored when `random` is given. */
  readonly seed?: number
  /** The random source itself, returning numbers in [0, 1) (default: seeded with `seed`). */
  readonly random?: () => number
  /** The time the first attempt starts (default 0). */
  readonly start?: number
  /** How long each attempt takes before the schedule is stepped (default 0). */
  readonly attemptDuration?: number
}

// -------------------------------------------------------------------------------------
// authoring
// -------------------------------------------------------------------------------------

/**
 * Builds the decision to continue after `delay` milliseconds with `output` and the next `state`.
 *
 * The delay is clamped: NaN and negative delays become 0, and delays above
 * `Number.MAX_SAFE_INTEGER` become that bound, so a hand-written schedule cannot break the driver.
 *
 * @example
 * import * as S from 'schedule-ts/Schedule'
 *
 * assert.deepStrictEqual(S.continueAfter(100, 'out', 1), { _tag: 'Continue', delay: 100, output: 'out', state: 1 })
 * assert.strictEqual((S.continueAfter(-5, 'out', 1) as S.Continue<number, string>).delay, 0)
 *
 * @category model
 * @since 0.1.0
 */
export const continueAfter: <S, Out>(delay: number, output: Out, state: S) => Step<S, Out> = B.continueAfter

/**
 * The decision to stop.
 *
 * @example
 * import * as S from 'schedule-ts/Schedule'
 *
 * assert.strictEqual(S.done._tag, 'Done')
 *
 * @category model
 * @since 0.1.0
 */
export const done = B.done

/**
 * Tells whether a step is the decision to stop.
 *
 * @example
 * import * as S from 'schedule-ts/Schedule'
 *
 * assert.strictEqual(S.isDone(S.done), true)
 * assert.strictEqual(S.isDone(S.continueAfter(0, 0, 0)), false)
 *
 * @category model
 * @since 0.1.0
 */
export const isDone = <S, Out>(step: Step<S, Out>): step is Done => step._tag === 'Done'

/**
 * Builds a schedule from a state machine: an initial state and a step function.
 *
 * Use it to write a schedule or a combinator the library does not have; every built-in schedule is
 * written with it. The step must not mutate the state it is given: return a new one, so the
 * schedule can be shared by concurrent runs.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as S from 'schedule-ts/Schedule'
 *
 * // 10, 20, 30 ms, then done
 * const threeSteps = S.make(1, (_input: unknown, _context, n) =>
 *   n <= 3 ? S.continueAfter(n * 10, n, n + 1) : S.done
 * )
 *
 * assert.deepStrictEqual(
 *   pipe(threeSteps, S.simulate({ steps: 10 })).map((s) => s.delay),
 *   [10, 20, 30]
 * )
 *
 * @category model
 * @since 0.1.0
 */
export const make = B.make

// internal: rewrites the delay of every `Continue` of `self`
const mapDelay = <In, Out>(
  fn: string,
  self: Schedule<In, Out>,
  f: (delay: number, output: Out, input: In, context: StepContext) => number
): Schedule<In, Out> =>
  derive(checkSelf(fn, self), (input: In, context, state) => {
    const step = self.step(input, context, state)
    return step._tag === 'Done'
      ? step
      : continueAfter(f(step.delay, step.output, input, context), step.output, step.state)
  })

// internal: a schedule that recurs while `count < limit` with a constant delay, outputting the count
const counting = (limit: number, delay: number): Schedule<unknown, number> =>
  build(0, (_input: unknown, _context, count: number) =>
    count < limit ? continueAfter(delay, count, count + 1) : done
  )

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * Recurs forever without delay, outputting the recurrence count 0, 1, 2, ...
 *
 * On its own it retries in a tight loop: bound it with a limit (`maxRetries`, `maxElapsed`) or give
 * it a delay. It is the identity of `intersect`.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as S from 'schedule-ts/Schedule'
 *
 * assert.deepStrictEqual(
 *   pipe(S.forever, S.simulate({ steps: 3 })).map((s) => [s.delay, s.output]),
 *   [[0, 0], [0, 1], [0, 2]]
 * )
 *
 * @category constructors
 * @since 0.1.0
 */
export const forever: Schedule<unknown, number> = /* @__PURE__ */ counting(Infinity, 0)

/**
 * Recurs `n` times without delay, outputting the recurrence count.
 *
 * `recurs(n)` allows n *retries*, so n + 1 attempts in all.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as S from 'schedule-ts/Schedule'
 *
 * assert.deepStrictEqual(pipe(S.recurs(3), S.simulate({ steps: 10 })).map((s) => s.delay), [0, 0, 0])
 *
 * @category constructors
 * @since 0.1.0
 */
export const recurs = (n: number): Schedule<unknown, number> => counting(checkCount('Schedule.recurs', 'n', n), 0)

/**
 * Recurs once without delay: `recurs(1)`, two attempts in all.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as S from 'schedule-ts/Schedule'
 *
 * assert.strictEqual(pipe(S.once, S.simulate({ steps: 10 })).length, 1)
 *
 * @category constructors
 * @since 0.1.0
 */
export const once: Schedule<unknown, number> = /* @__PURE__ */ recurs(1)

/**
 * Never recurs: `recurs(0)`, a single attempt. It is the identity of `union`.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as S from 'schedule-ts/Schedule'
 *
 * assert.strictEqual(pipe(S.stop, S.simulate({ steps: 10 })).length, 0)
 *
 * @category constructors
 * @since 0.1.0
 */
export const stop: Schedule<unknown, number> = /* @__PURE__ */ recurs(0)

/**
 * Recurs forever with the same delay, outputting the recurrence count.
 *
 * Use it for polling or for a steady retry pace; without jitter, many clients that failed together
 * retry together, so prefer a jittered schedule against a shared service.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as S from 'schedule-ts/Schedule'
 *
 * assert.deepStrictEqual(pipe(S.constant(250), S.simulate({ steps: 3 })).map((s) => s.delay), [250, 250, 250])
 *
 * @category constructors
 * @since 0.1.0
 */
export const constant = (delay: number): Schedule<unknown, number> =>
  counting(Infinity, checkDuration('Schedule.constant', 'delay', delay))

/**
 * An alias of `constant`, Effect's name for it.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as S from 'schedule-ts/Schedule'
 *
 * assert.deepStrictEqual(pipe(S.spaced(50), S.simulate({ steps: 2 })).map((s) => s.delay), [50, 50])
 *
 * @category constructors
 * @since 0.1.0
 */
export const spaced = (delay: number): Schedule<unknown, number> =>
  counting(Infinity, checkDuration('Schedule.spaced', 'delay', delay))

/**
 * Recurs forever with delays `base · factor^n` (n = 0 for the first retry), outputting the delay.
 *
 * The growth saturates at `Number.MAX_SAFE_INTEGER` instead of overflowing; bound it with
 * `capDelay` and add jitter (`jittered`, `fullJitter`) when many clients share a service.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as S from 'schedule-ts/Schedule'
 *
 * assert.deepStrictEqual(
 *   pipe(S.exponential(100), S.simulate({ steps: 4 })).map((s) => s.delay),
 *   [100, 200, 400, 800]
 * )
 * assert.deepStrictEqual(pipe(S.exponential(100, 3), S.simulate({ steps: 3 })).map((s) => s.delay), [100, 300, 900])
 *
 * @category constructors
 * @since 0.1.0
 */
export const exponential = (base: number, factor = 2): Schedule<unknown, number> => {
  checkDuration('Schedule.exponential', 'base', base)
  checkFactor('Schedule.exponential', 'factor', factor)
  return build(base, (_input: unknown, _context, delay: number) =>
    continueAfter(delay, delay, Math.min(delay * factor, MAX_DELAY))
  )
}

/**
 * Recurs forever with Fibonacci delays `one, one, 2·one, 3·one, 5·one, ...`, outputting the delay.
 *
 * It grows more gently than `exponential(one)`; the growth saturates at `Number.MAX_SAFE_INTEGER`.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as S from 'schedule-ts/Schedule'
 *
 * assert.deepStrictEqual(
 *   pipe(S.fibonacci(100), S.simulate({ steps: 5 })).map((s) => s.delay),
 *   [100, 100, 200, 300, 500]
 * )
 *
 * @category constructors
 * @since 0.1.0
 */
export const fibonacci = (one: number): Schedule<unknown, number> => {
  checkDuration('Schedule.fibonacci', 'one', one)
  return build([one, one] as const, (_input: unknown, _context, [current, next]: readonly [number, number]) =>
    continueAfter(current, current, [next, Math.min(current + next, MAX_DELAY)] as const)
  )
}

/**
 * Recurs forever with delays growing linearly, `base · (n + 1)`, outputting the delay.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as S from 'schedule-ts/Schedule'
 *
 * assert.deepStrictEqual(pipe(S.linear(100), S.simulate({ steps: 3 })).map((s) => s.delay), [100, 200, 300])
 *
 * @category constructors
 * @since 0.1.0
 */
export const linear = (base: number): Schedule<unknown, number> => {
  checkDuration('Schedule.linear', 'base', base)
  return build(1, (_input: unknown, _context, n: number) => {
    const delay = Math.min(base * n, MAX_DELAY)
    return continueAfter(delay, delay, n + 1)
  })
}

/**
 * Recurs once per listed delay, in order, then is done; outputs the delay.
 *
 * Use it for a hand-tuned sequence, such as one read from configuration. With no delays it never
 * recurs.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as S from 'schedule-ts/Schedule'
 *
 * assert.deepStrictEqual(pipe(S.fromDelays(5, 10), S.simulate({ steps: 10 })).map((s) => s.delay), [5, 10])
 *
 * @category constructors
 * @since 0.1.0
 */
export const fromDelays = (...delays: ReadonlyArray<number>): Schedule<unknown, number> => {
  const list = delays.map((delay, i) => checkDuration('Schedule.fromDelays', `delays[${i}]`, delay))
  return build(0, (_input: unknown, _context, i: number) =>
    i < list.length ? continueAfter(list[i], list[i], i + 1) : done
  )
}

/**
 * Recurs forever with AWS's "decorrelated jitter": each delay is `min(cap, U(base, 3 · previous))`,
 * the previous delay starting at `base`; outputs the delay.
 *
 * It spreads clients out like full jitter while growing with each retry; `cap` must be at least
 * `base`.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as S from 'schedule-ts/Schedule'
 *
 * const delays = pipe(S.decorrelatedJitter({ base: 100, cap: 1000 }), S.simulate({ steps: 50 })).map((s) => s.delay)
 * assert.ok(delays.every((d) => d >= 100 && d <= 1000))
 *
 * @category constructors
 * @since 0.1.0
 */
export const decorrelatedJitter = (options: {
  readonly base: number
  readonly cap: number
}): Schedule<unknown, number> => {
  const base = checkDuration('Schedule.decorrelatedJitter', 'base', options.base)
  const cap = checkDuration('Schedule.decorrelatedJitter', 'cap', options.cap)
  if (cap < base) {
    throw new RangeError(`Schedule.decorrelatedJitter: cap must be at least base, got base ${base} and cap ${cap}`)
  }
  // every delay is bounded by MAX_DELAY anyway; bounding the state too keeps 3 · previous finite
  return decorrelated(Math.min(base, MAX_DELAY), Math.min(cap, MAX_DELAY))
}

const decorrelated = (base: number, cap: number): Schedule<unknown, number> =>
  build(base, (_input: unknown, context, previous: number) => {
    const delay = Math.min(cap, base + context.random() * (3 * previous - base))
    return continueAfter(delay, delay, delay)
  })

/**
 * Recurs forever at a fixed rate: attempts start on a grid of `interval` ms anchored where the
 * schedule starts, each delay running to the next grid point after the attempt that just ended.
 * Outputs the recurrence count.
 *
 * When an attempt overruns (it ends more than one interval past the point it was meant to start
 * at), the next starts at once and the grid is anchored again there: missed slots are never
 * replayed. An attempt that ends exactly one interval late waits a whole interval, as Effect's
 * `fixed` does. Combined in `union` with a schedule that retried sooner, no grid point is skipped.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as S from 'schedule-ts/Schedule'
 *
 * // attempts take 30 ms: each waits the 70 ms left of its 100 ms slot
 * assert.deepStrictEqual(
 *   pipe(S.fixed(100), S.simulate({ steps: 3, attemptDuration: 30 })).map((s) => s.delay),
 *   [70, 70, 70]
 * )
 * // a quick first retry does not move the grid
 * assert.deepStrictEqual(
 *   pipe(S.fromDelays(0), S.union(S.fixed(1000)), S.simulate({ steps: 3 })).map((s) => s.delay),
 *   [0, 1000, 1000]
 * )
 *
 * @category constructors
 * @since 0.1.0
 */
export const fixed = (interval: number): Schedule<unknown, number> => {
  checkDuration('Schedule.fixed', 'interval', interval)
  // state: the count, the grid's anchor and the point the previous decision aimed at (the start, before any)
  return make(
    [0, undefined, undefined] as readonly [number, number | undefined, number | undefined],
    (_input: unknown, { now, start }, [count, anchor = start, aimed = start]) => {
      if (now - aimed > interval) {
        return continueAfter(0, count, [count + 1, now, now] as const)
      }
      const point = nextPoint(anchor, interval, now)
      return continueAfter(point - now, count, [count + 1, anchor, point] as const)
    }
  )
}

// internal: the first point of the grid of `interval` anchored at `anchor` that is strictly after `now`
const nextPoint = (anchor: number, interval: number, now: number): number =>
  interval === 0 ? now : anchor + interval * (Math.floor((now - anchor) / interval) + 1)

/**
 * Recurs forever on window boundaries: each delay runs to the end of the current `interval`-long
 * window, the windows being anchored where the schedule starts. Outputs the recurrence count.
 *
 * Unlike `fixed`, an attempt that overruns its window never starts at once: it waits for the next
 * boundary, so attempts always start on the grid (a report every minute, on the minute).
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as S from 'schedule-ts/Schedule'
 *
 * // attempts take 30 ms, then 250 ms: the overrun waits for the next boundary, at 400
 * assert.deepStrictEqual(
 *   pipe(S.windowed(100), S.simulate({ steps: 3, attemptDuration: 30 })).map((s) => s.delay),
 *   [70, 70, 70]
 * )
 * assert.deepStrictEqual(
 *   pipe(S.windowed(100), S.simulate({ steps: 2, attemptDuration: 250 })).map((s) => [s.elapsed, s.delay]),
 *   [[250, 50], [550, 50]]
 * )
 *
 * @category constructors
 * @since 0.2.0
 */
export const windowed = (interval: number): Schedule<unknown, number> => {
  checkDuration('Schedule.windowed', 'interval', interval)
  return make(0, (_input: unknown, { now, start }, count: number) =>
    continueAfter(nextPoint(start, interval, now) - now, count, count + 1)
  )
}

// -------------------------------------------------------------------------------------
// modifiers
// -------------------------------------------------------------------------------------

const scaleRandomly =
  (fn: string, min: number, max: number) =>
  <In, Out>(self: Schedule<In, Out>): Schedule<In, Out> =>
    mapDelay(fn, self, (delay, _output, _input, context) => delay * (min + context.random() * (max - min)))

/**
 * Multiplies each delay by a random factor in [0.8, 1.2) (Effect's default jitter).
 *
 * Jitter keeps clients that failed together from retrying together. Apply `capDelay` after it when
 * the delay must have a hard bound.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as S from 'schedule-ts/Schedule'
 *
 * const delays = pipe(S.constant(1000), S.jittered, S.simulate({ steps: 100 })).map((s) => s.delay)
 * assert.ok(delays.every((d) => d >= 800 && d < 1200))
 *
 * @category modifiers
 * @since 0.1.0
 */
export const jittered: <In, Out>(self: Schedule<In, Out>) => Schedule<In, Out> = /* @__PURE__ */ scaleRandomly(
  'Schedule.jittered',
  0.8,
  1.2
)

/**
 * Multiplies each delay by a random factor in [min, max).
 *
 * Both bounds must be finite and non-negative, and `min` at most `max`.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as S from 'schedule-ts/Schedule'
 *
 * const delays = pipe(S.constant(1000), S.jitteredWith({ min: 0.5, max: 1 }), S.simulate({ steps: 100 }))
 * assert.ok(delays.every((s) => s.delay >= 500 && s.delay < 1000))
 *
 * @category modifiers
 * @since 0.1.0
 */
export const jitteredWith = (range: {
  readonly min: number
  readonly max: number
}): (<In, Out>(self: Schedule<In, Out>) => Schedule<In, Out>) => {
  const min = checkMultiplier('Schedule.jitteredWith', 'min', range.min)
  const max = checkMultiplier('Schedule.jitteredWith', 'max', range.max)
  checkRange('Schedule.jitteredWith', min, max)
  return scaleRandomly('Schedule.jitteredWith', min, max)
}

/**
 * Replaces each delay `d` with a random delay in [0, d) (AWS's "full jitter").
 *
 * It spreads retries the most, which keeps the load on a struggling service lowest, at the price
 * of sometimes retrying almost at once.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as S from 'schedule-ts/Schedule'
 *
 * const delays = pipe(S.constant(1000), S.fullJitter, S.simulate({ steps: 100 })).map((s) => s.delay)
 * assert.ok(delays.every((d) => d >= 0 && d < 1000))
 *
 * @category modifiers
 * @since 0.1.0
 */
export const fullJitter: <In, Out>(self: Schedule<In, Out>) => Schedule<In, Out> = /* @__PURE__ */ scaleRandomly(
  'Schedule.fullJitter',
  0,
  1
)

/**
 * Replaces each delay `d` with `d/2 + U(0, d/2)` (AWS's "equal jitter").
 *
 * It keeps at least half of the backoff while still spreading clients out.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as S from 'schedule-ts/Schedule'
 *
 * const delays = pipe(S.constant(1000), S.equalJitter, S.simulate({ steps: 100 })).map((s) => s.delay)
 * assert.ok(delays.every((d) => d >= 500 && d < 1000))
 *
 * @category modifiers
 * @since 0.1.0
 */
export const equalJitter: <In, Out>(self: Schedule<In, Out>) => Schedule<In, Out> = /* @__PURE__ */ scaleRandomly(
  'Schedule.equalJitter',
  0.5,
  1
)

/**
 * Adds a random amount of time to each delay: `U(0, max)`, or `U(min, max)` given a pair.
 *
 * Unlike the multiplicative jitters it also spreads out zero and small delays.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as S from 'schedule-ts/Schedule'
 *
 * const delays = pipe(S.constant(100), S.addJitter([10, 50]), S.simulate({ steps: 100 })).map((s) => s.delay)
 * assert.ok(delays.every((d) => d >= 110 && d < 150))
 *
 * @category modifiers
 * @since 0.1.0
 */
export const addJitter = (
  range: number | readonly [number, number]
): (<In, Out>(self: Schedule<In, Out>) => Schedule<In, Out>) => {
  const [min, max] = typeof range === 'number' ? [0, range] : Array.isArray(range) ? range : [NaN, NaN]
  checkDuration('Schedule.addJitter', typeof range === 'number' ? 'max' : 'min', min)
  checkDuration('Schedule.addJitter', 'max', max)
  checkRange('Schedule.addJitter', min, max)
  return (self) =>
    mapDelay(
      'Schedule.addJitter',
      self,
      (delay, _output, _input, context) => delay + min + context.random() * (max - min)
    )
}

/**
 * Bounds each delay by `max`.
 *
 * Applied after jitter or `withDelayHint`, it is a hard bound on every sleep; applied before jitter,
 * jitter can still push a delay above it.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as S from 'schedule-ts/Schedule'
 *
 * assert.deepStrictEqual(
 *   pipe(S.exponential(100), S.capDelay(300), S.simulate({ steps: 4 })).map((s) => s.delay),
 *   [100, 200, 300, 300]
 * )
 *
 * @category modifiers
 * @since 0.1.0
 */
export const capDelay = (max: number): (<In, Out>(self: Schedule<In, Out>) => Schedule<In, Out>) => {
  checkDuration('Schedule.capDelay', 'max', max)
  return (self) => mapDelay('Schedule.capDelay', self, (delay) => (delay < max ? delay : max))
}

/**
 * Raises each delay to at least `min`.
 *
 * Use it after `fullJitter` to avoid retrying almost at once.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as S from 'schedule-ts/Schedule'
 *
 * assert.deepStrictEqual(pipe(S.fromDelays(10, 500), S.minDelay(100), S.simulate({ steps: 4 })).map((s) => s.delay), [
 *   100, 500
 * ])
 *
 * @category modifiers
 * @since 0.1.0
 */
export const minDelay = (min: number): (<In, Out>(self: Schedule<In, Out>) => Schedule<In, Out>) => {
  checkDuration('Schedule.minDelay', 'min', min)
  return (self) => mapDelay('Schedule.minDelay', self, (delay) => (delay > min ? delay : min))
}

/**
 * Adds `f(output)` milliseconds to each delay.
 *
 * A result that is NaN or negative makes the delay 0, and one above `Number.MAX_SAFE_INTEGER` is
 * clamped to that bound: a bad function can never produce a negative or NaN sleep.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as S from 'schedule-ts/Schedule'
 *
 * assert.deepStrictEqual(
 *   pipe(S.recurs(3), S.addDelay((count) => count * 100), S.simulate({ steps: 5 })).map((s) => s.delay),
 *   [0, 100, 200]
 * )
 *
 * @category modifiers
 * @since 0.1.0
 */
export const addDelay = <Out>(f: (output: Out) => number): (<In>(self: Schedule<In, Out>) => Schedule<In, Out>) => {
  checkFunction('Schedule.addDelay', 'f', f)
  return (self) => mapDelay('Schedule.addDelay', self, (delay, output) => delay + clampDelay(f(output)))
}

/**
 * Replaces each delay `d` with `f(d, output)`.
 *
 * A result that is NaN or negative makes the delay 0, and one above `Number.MAX_SAFE_INTEGER` is
 * clamped to that bound.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as S from 'schedule-ts/Schedule'
 *
 * assert.deepStrictEqual(
 *   pipe(S.exponential(100), S.modifyDelay((d) => d + 1), S.simulate({ steps: 3 })).map((s) => s.delay),
 *   [101, 201, 401]
 * )
 *
 * @category modifiers
 * @since 0.1.0
 */
export const modifyDelay = <Out>(
  f: (delay: number, output: Out) => number
): (<In>(self: Schedule<In, Out>) => Schedule<In, Out>) => {
  checkFunction('Schedule.modifyDelay', 'f', f)
  return (self) => mapDelay('Schedule.modifyDelay', self, f)
}

/**
 * Waits at least as long as the input asks for: each delay becomes `max(d, hint)` when
 * `hint(input)` is `Some` (an HTTP `Retry-After`, a gRPC pushback), and stays `d` otherwise.
 *
 * A server can ask for any delay: put `capDelay` after it to bound what it may ask for. A NaN or
 * negative hint counts as 0.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as O from 'fp-ts/Option'
 * import * as S from 'schedule-ts/Schedule'
 *
 * interface HttpError { readonly status: number; readonly retryAfterMs?: number }
 *
 * const policy = pipe(
 *   S.exponential(100),
 *   S.withDelayHint((e: HttpError) => O.fromNullable(e.retryAfterMs)),
 *   S.capDelay(5000)
 * )
 * const inputs: ReadonlyArray<HttpError> = [{ status: 503, retryAfterMs: 2000 }, { status: 500 }, { status: 503, retryAfterMs: 60000 }]
 * assert.deepStrictEqual(pipe(policy, S.simulate({ steps: 3, inputs })).map((s) => s.delay), [2000, 200, 5000])
 *
 * @category modifiers
 * @since 0.1.0
 */
export const withDelayHint = <In>(
  hint: (input: In) => Option<number>
): (<Out>(self: Schedule<In, Out>) => Schedule<In, Out>) => {
  checkFunction('Schedule.withDelayHint', 'hint', hint)
  return (self) =>
    mapDelay('Schedule.withDelayHint', self, (delay, _output, input) => {
      const asked = hint(input)
      return asked._tag === 'Some' && asked.value > delay ? asked.value : delay
    })
}

/**
 * Reads an HTTP `Retry-After` header as the time to wait, in ms, for `withDelayHint`: `some(ms)` for
 * a number of seconds (`"120"`) or an HTTP date (`"Wed, 21 Oct 2015 07:28:00 GMT"`, or either obsolete
 * date format of RFC 9110), `none` for a missing or invalid header.
 *
 * A date is compared with `now`, the current time in epoch ms (default `Date.now()`; the live clock's
 * `now()` and a `TestClock` started at a date are epoch ms too); a date in the past gives `some(0)`. A server can ask for any
 * delay, so put `capDelay` after the `withDelayHint` that uses it. Throws a `RangeError` when `now`
 * is not a finite number.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as O from 'fp-ts/Option'
 * import * as S from 'schedule-ts/Schedule'
 *
 * const now = Date.UTC(2015, 9, 21, 7, 27, 0)
 * assert.deepStrictEqual(S.parseRetryAfter('120'), O.some(120_000))
 * assert.deepStrictEqual(S.parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', now), O.some(60_000))
 * assert.deepStrictEqual(S.parseRetryAfter('soon'), O.none)
 *
 * interface HttpError { readonly status: number; readonly headers: Map<string, string> }
 * const policy = pipe(
 *   S.exponential(100),
 *   S.withDelayHint((e: HttpError) => S.parseRetryAfter(e.headers.get('retry-after'))),
 *   S.capDelay(30_000)
 * )
 * const inputs: ReadonlyArray<HttpError> = [{ status: 503, headers: new Map([['retry-after', '3']]) }]
 * assert.deepStrictEqual(pipe(policy, S.simulate({ steps: 1, inputs })).map((s) => s.delay), [3000])
 *
 * @category modifiers
 * @since 0.1.0
 */
export const parseRetryAfter: (header: string | null | undefined, now?: number) => Option<number> =
  parseRetryAfterHeader

// -------------------------------------------------------------------------------------
// limits
// -------------------------------------------------------------------------------------

/**
 * Allows at most `n` retries (n + 1 attempts in all), keeping the schedule's own output.
 *
 * It is `intersect(recurs(n))` without the tuple output.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as S from 'schedule-ts/Schedule'
 *
 * assert.deepStrictEqual(
 *   pipe(S.exponential(100), S.maxRetries(3), S.simulate({ steps: 10 })).map((s) => s.output),
 *   [100, 200, 400]
 * )
 *
 * @category limits
 * @since 0.1.0
 */
export const maxRetries = (n: number): (<In, Out>(self: Schedule<In, Out>) => Schedule<In, Out>) => {
  checkCount('Schedule.maxRetries', 'n', n)
  return <In, Out>(self: Schedule<In, Out>) =>
    build(
      [0, checkSelf('Schedule.maxRetries', self).initial] as readonly [number, unknown],
      (input: In, context, [count, state]): Step<readonly [number, unknown], Out> => {
        if (count >= n) {
          return done
        }
        const step = self.step(input, context, state)
        return step._tag === 'Done' ? step : continueAfter(step.delay, step.output, [count + 1, step.state] as const)
      },
      self
    )
}

/**
 * Stops when the time since the start of the first attempt plus the next delay would pass `ms`, so
 * a run never sleeps past its deadline.
 *
 * The attempt that runs last may itself still end after the deadline; bound attempts with an
 * attempt timeout when that matters.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as S from 'schedule-ts/Schedule'
 *
 * // 100 + 200 + 400 = 700 <= 1000, but another 800 would end at 1500
 * assert.deepStrictEqual(
 *   pipe(S.exponential(100), S.maxElapsed(1000), S.simulate({ steps: 10 })).map((s) => s.delay),
 *   [100, 200, 400]
 * )
 *
 * @category limits
 * @since 0.1.0
 */
export const maxElapsed = (ms: number): (<In, Out>(self: Schedule<In, Out>) => Schedule<In, Out>) => {
  checkDuration('Schedule.maxElapsed', 'ms', ms)
  return <In, Out>(self: Schedule<In, Out>): Schedule<In, Out> =>
    make(checkSelf('Schedule.maxElapsed', self).initial, (input: In, context, state) => {
      const step = self.step(input, context, state)
      return step._tag === 'Continue' && context.now - context.start + step.delay > ms ? done : step
    })
}

/**
 * Stops when the sum of all delays so far plus the next one would pass `ms`.
 *
 * Unlike `maxElapsed` it ignores the time the attempts themselves take.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as S from 'schedule-ts/Schedule'
 *
 * assert.deepStrictEqual(
 *   pipe(S.constant(300), S.maxCumulativeDelay(1000), S.simulate({ steps: 10 })).map((s) => s.delay),
 *   [300, 300, 300]
 * )
 *
 * @category limits
 * @since 0.1.0
 */
export const maxCumulativeDelay = (ms: number): (<In, Out>(self: Schedule<In, Out>) => Schedule<In, Out>) => {
  checkDuration('Schedule.maxCumulativeDelay', 'ms', ms)
  return <In, Out>(self: Schedule<In, Out>) =>
    build(
      [0, checkSelf('Schedule.maxCumulativeDelay', self).initial] as readonly [number, unknown],
      (input: In, context, [total, state]): Step<readonly [number, unknown], Out> => {
        const step = self.step(input, context, state)
        if (step._tag === 'Done' || total + step.delay > ms) {
          return done
        }
        return continueAfter(step.delay, step.output, [total + step.delay, step.state] as const)
      },
      self
    )
}

/**
 * Continues only while the input satisfies `predicate`; the first input that does not ends it.
 *
 * Use it to retry only transient errors (a 503, a timeout) and give up at once on the others.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as S from 'schedule-ts/Schedule'
 *
 * const isTransient = (status: number) => status === 503 || status === 504
 * const policy = pipe(S.constant(100), S.whileInput(isTransient))
 * assert.strictEqual(pipe(policy, S.simulate({ steps: 10, inputs: [503, 504, 404, 503] })).length, 2)
 *
 * @category limits
 * @since 0.1.0
 */
export const whileInput = <In>(
  predicate: Predicate<In>
): (<In2 extends In, Out>(self: Schedule<In2, Out>) => Schedule<In2, Out>) => {
  checkFunction('Schedule.whileInput', 'predicate', predicate)
  return (self) =>
    derive(checkSelf('Schedule.whileInput', self), (input, context, state) =>
      predicate(input) ? self.step(input, context, state) : done
    )
}

/**
 * Continues only until the input satisfies `predicate`; the first input that does ends it.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as S from 'schedule-ts/Schedule'
 *
 * const isFatal = (status: number) => status >= 400 && status < 500
 * assert.strictEqual(pipe(S.forever, S.untilInput(isFatal), S.simulate({ steps: 10, inputs: [503, 401] })).length, 1)
 *
 * @category limits
 * @since 0.1.0
 */
export const untilInput = <In>(
  predicate: Predicate<In>
): (<In2 extends In, Out>(self: Schedule<In2, Out>) => Schedule<In2, Out>) => {
  checkFunction('Schedule.untilInput', 'predicate', predicate)
  return whileInput((input: In) => !predicate(input))
}

/**
 * Continues only while the schedule's output satisfies `predicate`.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as S from 'schedule-ts/Schedule'
 *
 * // stop once the backoff would reach a second
 * assert.deepStrictEqual(
 *   pipe(S.exponential(200), S.whileOutput((d) => d < 1000), S.simulate({ steps: 10 })).map((s) => s.delay),
 *   [200, 400, 800]
 * )
 *
 * @category limits
 * @since 0.1.0
 */
export const whileOutput = <Out>(predicate: Predicate<Out>): (<In>(self: Schedule<In, Out>) => Schedule<In, Out>) => {
  checkFunction('Schedule.whileOutput', 'predicate', predicate)
  return (self) =>
    derive(checkSelf('Schedule.whileOutput', self), (input, context, state) => {
      const step = self.step(input, context, state)
      return step._tag === 'Done' || predicate(step.output) ? step : done
    })
}

/**
 * Continues only until the schedule's output satisfies `predicate`; the step whose output does is
 * not taken.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as S from 'schedule-ts/Schedule'
 *
 * assert.strictEqual(pipe(S.forever, S.untilOutput((n) => n === 3), S.simulate({ steps: 10 })).length, 3)
 *
 * @category limits
 * @since 0.1.0
 */
export const untilOutput = <Out>(predicate: Predicate<Out>): (<In>(self: Schedule<In, Out>) => Schedule<In, Out>) => {
  checkFunction('Schedule.untilOutput', 'predicate', predicate)
  return whileOutput((output: Out) => !predicate(output))
}

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * Continues while both schedules continue, waiting the longer of their delays; outputs both
 * outputs.
 *
 * Use it to add a limit written as a schedule, such as `recurs(5)`, to a backoff.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as S from 'schedule-ts/Schedule'
 *
 * const policy = pipe(S.exponential(100), S.intersect(S.recurs(2)))
 * assert.deepStrictEqual(pipe(policy, S.simulate({ steps: 10 })).map((s) => s.output), [
 *   [100, 0],
 *   [200, 1]
 * ])
 *
 * @category combinators
 * @since 0.1.0
 */
export const intersect = C.intersect

/**
 * Continues while either schedule continues, waiting the shorter delay of those that continue;
 * outputs both outputs, a side that is done keeping its last output (`undefined` if it never had
 * one).
 *
 * Use it to fall back on a second pace, or to retry at least as often as either policy would.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as S from 'schedule-ts/Schedule'
 *
 * const policy = pipe(S.fromDelays(10, 10), S.union(S.fromDelays(50, 5, 50)))
 * assert.deepStrictEqual(pipe(policy, S.simulate({ steps: 10 })).map((s) => s.delay), [10, 5, 50])
 *
 * @category combinators
 * @since 0.1.0
 */
export const union = C.union

/**
 * Runs `self` to its end, then `that` from its start; outputs whichever is running.
 *
 * Use it for a phased policy, such as a few quick retries followed by a slow steady pace. `that`
 * starts where its phase starts: its `fixed` grid, `elapsed` and `maxElapsed` count from its first
 * decision, not from the first attempt of the run (unless `self` was done at once: then `that` is
 * the whole run, which makes `stop` the identity of `andThen`).
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as S from 'schedule-ts/Schedule'
 *
 * const policy = pipe(S.constant(10), S.maxRetries(2), S.andThen(pipe(S.constant(1000), S.maxRetries(2))))
 * assert.deepStrictEqual(pipe(policy, S.simulate({ steps: 10 })).map((s) => s.delay), [10, 10, 1000, 1000])
 *
 * @category combinators
 * @since 0.1.0
 */
export const andThen = C.andThen

/**
 * Transforms the output with `f`; the delays are unchanged.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as S from 'schedule-ts/Schedule'
 *
 * assert.deepStrictEqual(pipe(S.recurs(2), S.map((n) => `retry ${n + 1}`), S.simulate({ steps: 5 })).map((s) => s.output), [
 *   'retry 1',
 *   'retry 2'
 * ])
 *
 * @category combinators
 * @since 0.1.0
 */
export const map = <Out, B>(f: (output: Out) => B): (<In>(self: Schedule<In, Out>) => Schedule<In, B>) => {
  checkFunction('Schedule.map', 'f', f)
  return (self) =>
    derive(checkSelf('Schedule.map', self), (input, context, state) => {
      const step = self.step(input, context, state)
      return step._tag === 'Done' ? step : continueAfter(step.delay, f(step.output), step.state)
    })
}

/**
 * Replaces the output with a constant.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as S from 'schedule-ts/Schedule'
 *
 * assert.deepStrictEqual(pipe(S.recurs(2), S.as('again'), S.simulate({ steps: 5 })).map((s) => s.output), ['again', 'again'])
 *
 * @category combinators
 * @since 0.1.0
 */
export const as = <B>(b: B): (<In, Out>(self: Schedule<In, Out>) => Schedule<In, B>) => map(() => b)

/**
 * Runs an effect with each input before the schedule is stepped, for logging or metrics.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as S from 'schedule-ts/Schedule'
 *
 * const seen: Array<string> = []
 * const policy = pipe(S.recurs(2), S.tapInput((e: string) => () => { seen.push(e) }))
 * pipe(policy, S.simulate({ steps: 5, inputs: ['timeout', 'reset', 'refused'] }))
 * assert.deepStrictEqual(seen, ['timeout', 'reset', 'refused'])
 *
 * @category combinators
 * @since 0.1.0
 */
export const tapInput = <In>(
  f: (input: In) => IO<void>
): (<In2 extends In, Out>(self: Schedule<In2, Out>) => Schedule<In2, Out>) => {
  checkFunction('Schedule.tapInput', 'f', f)
  return (self) =>
    derive(checkSelf('Schedule.tapInput', self), (input, context, state) => {
      f(input)()
      return self.step(input, context, state)
    })
}

/**
 * Runs an effect with each output the schedule produces (not when it is done).
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as S from 'schedule-ts/Schedule'
 *
 * const seen: Array<number> = []
 * pipe(S.exponential(10), S.maxRetries(3), S.tapOutput((d) => () => { seen.push(d) }), S.simulate({ steps: 5 }))
 * assert.deepStrictEqual(seen, [10, 20, 40])
 *
 * @category combinators
 * @since 0.1.0
 */
export const tapOutput = <Out>(f: (output: Out) => IO<void>): (<In>(self: Schedule<In, Out>) => Schedule<In, Out>) => {
  checkFunction('Schedule.tapOutput', 'f', f)
  return (self) =>
    derive(checkSelf('Schedule.tapOutput', self), (input, context, state) => {
      const step = self.step(input, context, state)
      if (step._tag === 'Continue') {
        f(step.output)()
      }
      return step
    })
}

/**
 * Outputs each delay itself, after all the modifiers before it.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as S from 'schedule-ts/Schedule'
 *
 * assert.deepStrictEqual(pipe(S.constant(5), S.maxRetries(2), S.delays, S.simulate({ steps: 5 })).map((s) => s.output), [5, 5])
 *
 * @category combinators
 * @since 0.1.0
 */
export const delays = <In, Out>(self: Schedule<In, Out>): Schedule<In, number> =>
  derive(checkSelf('Schedule.delays', self), (input: In, context, state) => {
    const step = self.step(input, context, state)
    return step._tag === 'Done' ? step : continueAfter(step.delay, step.delay, step.state)
  })

/**
 * Outputs the time elapsed since the start of the first attempt, at the moment of each decision.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as S from 'schedule-ts/Schedule'
 *
 * assert.deepStrictEqual(pipe(S.constant(100), S.maxRetries(3), S.elapsed, S.simulate({ steps: 5 })).map((s) => s.output), [
 *   0, 100, 200
 * ])
 *
 * @category combinators
 * @since 0.1.0
 */
export const elapsed = <In, Out>(self: Schedule<In, Out>): Schedule<In, number> =>
  make(checkSelf('Schedule.elapsed', self).initial, (input: In, context, state) => {
    const step = self.step(input, context, state)
    return step._tag === 'Done' ? step : continueAfter(step.delay, context.now - context.start, step.state)
  })

/**
 * Starts `self` again from its initial state when at least `ms` passed between the start of the
 * attempt that just failed and this decision: a connection that lived a minute begins its backoff
 * anew instead of sleeping at the cap.
 *
 * Use it for the reconnect loop of a long-lived client. The attempt that just failed started where
 * the previous decision's delay ended (the start of the run, for the first decision). After a reset,
 * `self` starts where the reset happened: its `fixed` grid, `elapsed` and `maxElapsed` count from
 * that decision, so a deadline applies to each outage rather than to the life of the process.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as S from 'schedule-ts/Schedule'
 *
 * // attempts that fail at once back off 100, 200, 400; one that lived 60 s starts again at 100
 * const policy = pipe(S.exponential(100), S.resetAfter(60_000))
 * const context = (now: number) => ({ now, start: 0, random: () => 0 })
 * let state = policy.initial
 * const delays: Array<number> = []
 * for (const now of [0, 100, 300, 700 + 60_000]) {
 *   const step = policy.step(undefined, context(now), state)
 *   if (step._tag === 'Continue') {
 *     delays.push(step.delay)
 *     state = step.state
 *   }
 * }
 * assert.deepStrictEqual(delays, [100, 200, 400, 100])
 *
 * @category combinators
 * @since 0.2.0
 */
export const resetAfter = C.resetAfter

/**
 * Starts `self` again from its initial state when the input satisfies `predicate`; the step that
 * resets is taken from the initial state, with this input.
 *
 * Use it when an error says the previous backoff no longer applies (a new leader was elected, the
 * server restarted). Like `resetAfter`, `self` then starts where the reset happened.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as S from 'schedule-ts/Schedule'
 *
 * const policy = pipe(S.exponential(100), S.resetWhen((e: string) => e === 'new leader'))
 * const inputs = ['busy', 'busy', 'busy', 'new leader', 'busy']
 * assert.deepStrictEqual(pipe(policy, S.simulate({ steps: 5, inputs })).map((s) => s.delay), [100, 200, 400, 100, 200])
 *
 * @category combinators
 * @since 0.2.0
 */
export const resetWhen = C.resetWhen

/**
 * Outputs the input the schedule was stepped with; the decisions are those of `self`.
 *
 * Use it with `repeat` to keep what each run returned (the last status of a poll) as the output,
 * or to combine the input with another output in `intersect`. The output's type is the input's: give
 * the input a type first (`whileInput`, `mapInput` with an annotated parameter), or it is `unknown`.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as S from 'schedule-ts/Schedule'
 *
 * // repeat a poll until it reports done, keeping each status as the output
 * const untilDone = pipe(S.forever, S.untilInput((status: string) => status === 'done'), S.passthrough)
 * const polls = pipe(untilDone, S.simulate({ steps: 5, inputs: ['queued', 'running', 'done'] }))
 * assert.deepStrictEqual(polls.map((s) => s.output), ['queued', 'running'])
 *
 * @category combinators
 * @since 0.2.0
 */
export const passthrough = <In, Out>(self: Schedule<In, Out>): Schedule<In, In> =>
  derive(checkSelf('Schedule.passthrough', self), (input: In, context, state) => {
    const step = self.step(input, context, state)
    return step._tag === 'Done' ? step : continueAfter(step.delay, input, step.state)
  })

/**
 * Adapts what the schedule is stepped with: `f` turns the new input into the one `self` expects.
 *
 * Use it to reuse a policy written for one error type (`HttpError`) with another that carries one.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as S from 'schedule-ts/Schedule'
 *
 * const onStatus = pipe(S.constant(100), S.whileInput((status: number) => status >= 500))
 * interface Failure { readonly status: number; readonly body: string }
 * const onFailure = pipe(onStatus, S.mapInput((f: Failure) => f.status))
 * const inputs: ReadonlyArray<Failure> = [{ status: 503, body: '' }, { status: 404, body: '' }]
 * assert.strictEqual(pipe(onFailure, S.simulate({ steps: 5, inputs })).length, 1)
 *
 * @category combinators
 * @since 0.2.0
 */
export const mapInput = <In2, In>(f: (input: In2) => In): (<Out>(self: Schedule<In, Out>) => Schedule<In2, Out>) => {
  checkFunction('Schedule.mapInput', 'f', f)
  return (self) =>
    derive(checkSelf('Schedule.mapInput', self), (input: In2, context, state) => self.step(f(input), context, state))
}

/**
 * Adapts the input with `f` and transforms the output with `g`: `mapInput(f)` and `map(g)` at once.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as S from 'schedule-ts/Schedule'
 *
 * // a policy on HTTP statuses, reused on errors that carry one, with a readable output
 * const onStatus = pipe(S.recurs(3), S.whileInput((status: number) => status >= 500))
 * const policy = pipe(onStatus, S.promap((e: { readonly status: number }) => e.status, (n: number) => `retry ${n + 1}`))
 * const inputs = [{ status: 503 }, { status: 502 }, { status: 404 }]
 * assert.deepStrictEqual(pipe(policy, S.simulate({ steps: 5, inputs })).map((s) => s.output), ['retry 1', 'retry 2'])
 *
 * @category combinators
 * @since 0.2.0
 */
export const promap = <In2, In, Out, B>(
  f: (input: In2) => In,
  g: (output: Out) => B
): ((self: Schedule<In, Out>) => Schedule<In2, B>) => {
  checkFunction('Schedule.promap', 'f', f)
  checkFunction('Schedule.promap', 'g', g)
  return (self) =>
    derive(checkSelf('Schedule.promap', self), (input: In2, context, state) => {
      const step = self.step(f(input), context, state)
      return step._tag === 'Done' ? step : continueAfter(step.delay, g(step.output), step.state)
    })
}

// -------------------------------------------------------------------------------------
// instances
// -------------------------------------------------------------------------------------

/**
 * The URI of `Schedule` for fp-ts's higher-kinded types: `Kind2<URI, In, Out>` is
 * `Schedule<In, Out>` (registered in fp-ts's `URItoKind2`).
 *
 * @example
 * import type { Kind2 } from 'fp-ts/HKT'
 * import * as S from 'schedule-ts/Schedule'
 *
 * const policy: Kind2<S.URI, unknown, number> = S.recurs(3)
 * assert.strictEqual(S.URI, 'schedule-ts/Schedule')
 * assert.ok(policy)
 *
 * @category instances
 * @since 0.2.0
 */
export const URI = 'schedule-ts/Schedule'

/**
 * The type of `URI`.
 *
 * @example
 * import * as S from 'schedule-ts/Schedule'
 *
 * const uri: S.URI = S.URI
 * assert.strictEqual(uri, 'schedule-ts/Schedule')
 *
 * @category instances
 * @since 0.2.0
 */
export type URI = typeof URI

declare module 'fp-ts/HKT' {
  interface URItoKind2<E, A> {
    readonly [URI]: Schedule<E, A>
  }
}

/**
 * The `Functor` instance: `map` over the output. Use it with fp-ts's generic functions
 * (`flap`, `bindTo`, ...) written for any functor.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import { flap } from 'fp-ts/Functor'
 * import * as S from 'schedule-ts/Schedule'
 *
 * const policy = pipe(S.recurs(2), S.map((n) => (label: string) => `${label} ${n}`))
 * const labelled = flap(S.Functor)('retry')(policy)
 * assert.deepStrictEqual(pipe(labelled, S.simulate({ steps: 5 })).map((s) => s.output), ['retry 0', 'retry 1'])
 *
 * @category instances
 * @since 0.2.0
 */
export const Functor: Functor2<URI> = {
  URI,
  map: (fa, f) => map(f)(fa)
}

/**
 * The `Profunctor` instance: `promap` adapts the input and transforms the output.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as S from 'schedule-ts/Schedule'
 *
 * const policy = S.Profunctor.promap(S.recurs(1), (e: Error) => e.message, (n) => `retry ${n + 1}`)
 * assert.deepStrictEqual(pipe(policy, S.simulate({ steps: 5, inputs: [new Error('busy')] })).map((s) => s.output), ['retry 1'])
 *
 * @category instances
 * @since 0.2.0
 */
export const Profunctor: Profunctor2<URI> = {
  URI,
  map: (fa, f) => map(f)(fa),
  promap: (fea, f, g) => promap(f, g)(fea)
}

/**
 * The monoid of `intersect`, with `forever` as its identity: combining policies this way makes
 * the strictest one win (the longest delay, the earliest end).
 *
 * The laws hold on the sequence of decisions (each delay and where it is done), not on outputs.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import { concatAll } from 'fp-ts/Monoid'
 * import * as S from 'schedule-ts/Schedule'
 *
 * const policy = concatAll(S.getIntersectMonoid<unknown>())([S.exponential(100), S.recurs(3), S.constant(150)])
 * assert.deepStrictEqual(pipe(policy, S.simulate({ steps: 10 })).map((s) => s.delay), [150, 200, 400])
 *
 * @category instances
 * @since 0.1.0
 */
export const getIntersectMonoid = <In>(): Monoid<Schedule<In, unknown>> => ({
  concat: (x, y) => intersect(y)(x),
  empty: forever
})

/**
 * The monoid of `union`, with `stop` as its identity: combining policies this way makes the most
 * permissive one win (the shortest delay, the latest end).
 *
 * The laws hold on the sequence of decisions (each delay and where it is done), not on outputs.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import { concatAll } from 'fp-ts/Monoid'
 * import * as S from 'schedule-ts/Schedule'
 *
 * const policy = concatAll(S.getUnionMonoid<unknown>())([S.fromDelays(100, 100), S.fromDelays(50)])
 * assert.deepStrictEqual(pipe(policy, S.simulate({ steps: 10 })).map((s) => s.delay), [50, 100])
 *
 * @category instances
 * @since 0.1.0
 */
export const getUnionMonoid = <In>(): Monoid<Schedule<In, unknown>> => ({
  concat: (x, y) => union(y)(x),
  empty: stop
})

// -------------------------------------------------------------------------------------
// simulation
// -------------------------------------------------------------------------------------

/**
 * Runs a schedule against a virtual clock and a seeded random source and lists its decisions: one
 * entry per recurrence, ending when the schedule is done, after `steps` entries, or when `inputs`
 * run out.
 *
 * Use it to see what a policy will do before deploying it, and to test it: the same seed gives the
 * same delays. `attemptDuration` models how long each attempt takes, which matters for `fixed` and
 * `maxElapsed`. `random` replaces the seeded source, to see a policy at its extremes (`() => 0`).
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as S from 'schedule-ts/Schedule'
 *
 * const timeline = pipe(S.exponential(100), S.maxRetries(3), S.simulate({ steps: 10, attemptDuration: 50 }))
 * assert.deepStrictEqual(timeline, [
 *   { attempt: 1, delay: 100, output: 100, elapsed: 50 },
 *   { attempt: 2, delay: 200, output: 200, elapsed: 200 },
 *   { attempt: 3, delay: 400, output: 400, elapsed: 450 }
 * ])
 *
 * @category running
 * @since 0.1.0
 */
export const simulate = R.simulate

// -------------------------------------------------------------------------------------
// replaying
// -------------------------------------------------------------------------------------

/**
 * The options of `nthDelay`: what the replayed steps see.
 *
 * A string `seed` (a job id) is hashed with 32-bit FNV-1a over its UTF-8 bytes, so `'5'` and `5` are
 * different seeds.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as O from 'fp-ts/Option'
 * import * as S from 'schedule-ts/Schedule'
 *
 * const options: S.NthDelayOptions<Error> = { seed: 'job-42', input: new Error('503'), start: 0, now: 2_000 }
 * assert.deepStrictEqual(pipe(S.constant(500), S.maxElapsed(3_000), S.nthDelay(3, options)), O.some(500))
 *
 * @category model
 * @since 0.2.0
 */
export interface NthDelayOptions<In> {
  /** The seed of the random source (default 0): an integer, or a string hashed with 32-bit FNV-1a. */
  readonly seed?: number | string | undefined
  /** What every replayed step is stepped with (default `undefined`). */
  readonly input?: In | undefined
  /** When the first attempt started, in ms (default 0); the replayed time starts there. */
  readonly start?: number | undefined
  /** The time the last replayed step sees (default: `start` plus the delays replayed before it). */
  readonly now?: number | undefined
}

/**
 * The delay before retry `n` (1-based), computed by replaying the schedule's first `n` decisions
 * from its initial state: `some(delay)`, or `none` when the schedule is done by then.
 *
 * Use it where a run cannot keep the schedule's state, such as a job queue whose retries outlive the
 * process (see `schedule-ts/BullMQ`): every step sees `input`, the time starts at `start` and
 * advances by the replayed delays, the last step sees `now` when given, and the random source is
 * seeded from `seed`. The seeding (FNV-1a for a string, then splitmix32) never changes between
 * versions, so the same arguments give the same delay in any process. Gotchas: a schedule that
 * depends on earlier inputs or on how long attempts took is replayed as if each attempt saw `input`
 * and took no time; the replay takes `n` steps, so its cost grows with `n`.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as O from 'fp-ts/Option'
 * import * as S from 'schedule-ts/Schedule'
 *
 * const policy = pipe(S.exponential(100), S.jittered, S.maxRetries(3))
 * const third = pipe(policy, S.nthDelay(3, { seed: 'job-42' }))
 * // the same arguments, the same delay: here 400 ms jittered
 * assert.deepStrictEqual(pipe(policy, S.nthDelay(3, { seed: 'job-42' })), third)
 * assert.ok(O.isSome(third) && third.value >= 320 && third.value < 480)
 * // three retries, so there is no fourth
 * assert.deepStrictEqual(pipe(policy, S.nthDelay(4, { seed: 'job-42' })), O.none)
 * // the last step sees `now`: past the deadline, the schedule is done
 * assert.deepStrictEqual(pipe(S.constant(100), S.maxElapsed(1_000), S.nthDelay(2, { start: 0, now: 950 })), O.none)
 *
 * @category running
 * @since 0.2.0
 */
export const nthDelay = R.nthDelay

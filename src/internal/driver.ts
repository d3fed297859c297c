/**
 * The run loop shared by `retry`, `repeat` and their variants: it makes attempts, steps the
 * schedule, sleeps on the clock, awaits the listeners and honours the abort signal, the attempt
 * timeout and the budget. Besides a Budget, this is the only place with mutable state, and it lives
 * for one run.
 *
 * A runner is resolved once (`runner`): its options are checked and kept in a `Plan`, a plain record
 * the loop reads, so building one per call (a call that brings its own signal) costs one object.
 *
 * @internal
 */
import type { Either, Left } from 'fp-ts/Either'
import type { Option } from 'fp-ts/Option'
import type { Budget } from '../Budget'
import type { Clock } from '../Clock'
import { live } from '../Clock'
import type { Schedule, StepContext } from '../Schedule'
import { isHonouring, offAbort, onAbort } from './abort'
import { checkFunction, checkPositiveDuration, checkSchedule, clampDelay, MAX_DELAY, typeError } from './check'
import { left, none, some } from './fp'
import type { AttemptContext, AttemptTimeout, Interrupted, RetryStatus } from './model'
import { readsStart } from './start'

const noop = (): void => undefined

/** What an attempt resolves to. */
export type Result = Either<unknown, unknown>

/** One attempt: its number (1-based), the signal it may watch (absent when nothing can abort it), the previous error. */
export type Attempt = (attempt: number, signal: AbortSignal | undefined, lastError: Option<unknown>) => Promise<Result>

/** A listener: it may return a promise, which the run awaits before it goes on. */
export type Listener<Event> = (event: Event) => unknown

/** The options the driver reads; the public modules type them per function. */
export interface RunOptions {
  readonly clock?: Clock | undefined
  readonly random?: (() => number) | undefined
  readonly signal?: AbortSignal | undefined
  readonly onRetry?: Listener<never> | undefined
  readonly onRepeat?: Listener<never> | undefined
  readonly onGiveUp?: Listener<never> | undefined
  readonly onHedge?: Listener<never> | undefined
  readonly budget?: Budget | undefined
  readonly attemptTimeout?: number | undefined
}

/** What a runner does with a result: which results the schedule is stepped with, and how it reports a step. */
export interface Mode {
  /** The results that go on to the schedule; the others end the run. */
  readonly continuesOn: 'Left' | 'Right'
  /** The option that is told of each recurrence, before its sleep (or, hedging, before each launch). */
  readonly listener: 'onRetry' | 'onRepeat' | 'onHedge'
  /** The event that listener receives. */
  readonly event: (attempt: number, input: unknown, delay: number, elapsed: number, output: unknown) => object
  /** Whether the budget option applies (a budget limits retries, not repeats). */
  readonly budgeted: boolean
}

/** Retrying: a failure is stepped, a success ends the run. */
export const retrying: Mode = {
  continuesOn: 'Left',
  listener: 'onRetry',
  event: (attempt, error, delay, elapsed, output) => ({ attempt, error, delay, elapsed, output }),
  budgeted: true
}

/** Repeating: a success is stepped, a failure ends the run. */
export const repeating: Mode = {
  continuesOn: 'Right',
  listener: 'onRepeat',
  event: (attempt, value, delay, elapsed, output) => ({ attempt, value, delay, elapsed, output }),
  budgeted: false
}

/** Hedging: a failure is stepped (it may bring the next launch forward), the first success wins. */
export const hedging: Mode = {
  continuesOn: 'Left',
  listener: 'onHedge',
  event: (attempt, _input, delay, elapsed) => ({ attempt, delay, elapsed }),
  budgeted: true
}

/** A runner, resolved once: what the loop reads. */
export interface Plan {
  readonly fn: string
  readonly mode: Mode
  readonly schedule: Schedule<unknown, unknown>
  readonly clock: Clock
  readonly random: () => number
  readonly signal: AbortSignal | undefined
  readonly budget: Budget | undefined
  readonly attemptTimeout: number | undefined
  readonly onStep: Listener<object> | undefined
  readonly onGiveUp: Listener<object> | undefined
  readonly stop: ((last: Result, status: RetryStatus) => Promise<Result>) | undefined
  /** Whether anything can observe when the first attempt started: then the clock is read at once. */
  readonly readsStart: boolean
  /** Whether a sleep must be raced with the abort: there is a signal, and the clock may not honour it. */
  readonly racesAbort: boolean
}

/** Recurrences between two turns of the event loop, whatever the delays and the clock. */
export const YIELD_EVERY = 128

export const interrupted = (lastError: Option<unknown>): Result =>
  left({ _tag: 'Interrupted', lastError } satisfies Interrupted<unknown>)

// setImmediate lets timers and I/O through; where there is none (a browser), a zero timer does
export const yieldToEventLoop = (): Promise<void> =>
  new Promise((resolve) => (typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0)))

export const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  typeof (value as { then?: unknown } | undefined)?.then === 'function'

// a TaskEither or a clock that returns something else than a promise is a defect, not a silent success
export const promised = <A>(fn: string, what: string, value: Promise<A>): Promise<A> =>
  isThenable(value) ? value : typeError(fn, what, 'return a promise', value)

// the options that must be functions, and the functions an object option must have
const FUNCTIONS =
  'onRetry onRepeat onGiveUp onHedge random clock.now clock.sleep budget.onRequest budget.onSuccess budget.onFailure budget.tryRetry'.split(
    ' '
  )

/**
 * Resolves a runner's schedule and options into the plan its runs read. The options are checked
 * here, once, so that a bad option fails when the runner is built, before any attempt.
 */
export const plan = (
  fn: string,
  mode: Mode,
  schedule: Schedule<never, unknown>,
  options: RunOptions = {},
  stop?: (last: Result, status: RetryStatus) => Promise<Result>
): Plan => {
  checkSchedule(fn, 'schedule', schedule)
  if (options === null || typeof options !== 'object') typeError(fn, 'options', 'be an object', options)
  for (const path of FUNCTIONS) {
    const [key, method] = path.split('.')
    const value = (options as Record<string, Record<string, unknown> | undefined>)[key]
    if (value !== undefined) checkFunction(fn, path, method === undefined ? value : value?.[method])
  }
  const { clock = live, random = Math.random, signal, attemptTimeout, onGiveUp } = options
  if (attemptTimeout !== undefined) checkPositiveDuration(fn, 'attemptTimeout', attemptTimeout)
  if (signal !== undefined && typeof signal?.aborted !== 'boolean') typeError(fn, 'signal', 'be an AbortSignal', signal)
  const onStep = options[mode.listener] as Listener<object> | undefined
  return {
    fn,
    mode,
    schedule: schedule as Schedule<unknown, unknown>,
    clock,
    random,
    signal,
    budget: mode.budgeted ? options.budget : undefined,
    attemptTimeout,
    onStep,
    onGiveUp: onGiveUp as Listener<object> | undefined,
    stop,
    readsStart: readsStart(schedule) || onStep !== undefined || onGiveUp !== undefined || stop !== undefined,
    racesAbort: signal !== undefined && !isHonouring(clock.sleep)
  }
}

/** What ends a run with a fallback: `orElse` with the last error and the status. */
export const fallbackTo = (
  fn: string,
  orElse: (error: never, status: RetryStatus) => () => Promise<Result>
): ((last: Result, status: RetryStatus) => Promise<Result>) => {
  checkFunction(fn, 'orElse', orElse)
  return (last, status) => promised(fn, 'the TaskEither of orElse', orElse((last as Left<never>).left, status)())
}

/** An attempt that sees its context (a signal of its own when nothing can abort it). */
export const withContext = (fn: string, f: (context: AttemptContext<never>) => () => Promise<Result>): Attempt => {
  checkFunction(fn, 'f', f)
  return (attempt, signal, lastError) =>
    f({ attempt, signal: signal ?? new AbortController().signal, lastError: lastError as Option<never> })()
}

// -------------------------------------------------------------------------------------
// one decision
// -------------------------------------------------------------------------------------

/** The end of a run, and what ended it. */
export interface Stopped {
  readonly _tag: 'Done'
  readonly stoppedBy: RetryStatus['stoppedBy']
}

/** A decision: go on after `delay` (clamped) with the schedule's output and next state, or stop. */
export type Decision =
  | { readonly _tag: 'Continue'; readonly delay: number; readonly output: unknown; readonly state: unknown }
  | Stopped

const bySchedule: Stopped = { _tag: 'Done', stoppedBy: 'schedule' }
const byBudget: Stopped = { _tag: 'Done', stoppedBy: 'budget' }

/**
 * One decision of a run, in the order every runner (and the fleet simulation) takes it: step the
 * schedule, then, if it goes on, ask the budget. The delay is clamped here, whatever the step returned.
 */
export const decide = <In>(
  fn: string,
  schedule: Schedule<In, unknown>,
  state: unknown,
  input: In,
  context: StepContext,
  budget: Budget | undefined
): Decision => {
  const step = schedule.step(input, context, state)
  if (step?._tag === 'Done') return bySchedule
  if (step?._tag !== 'Continue') typeError(fn, "the schedule's step", 'return a Step', step)
  if (budget !== undefined && !budget.tryRetry()) {
    return byBudget
  }
  const delay = clampDelay(step.delay)
  return delay === step.delay ? step : { ...step, delay }
}

/** Tells the budget, if there is one, how an attempt ended. */
export const record = (budget: Budget | undefined, result: Result): void => {
  if (budget === undefined) return
  if (result._tag === 'Right') budget.onSuccess()
  else budget.onFailure(result.left)
}

// -------------------------------------------------------------------------------------
// attempts and sleeps
// -------------------------------------------------------------------------------------

/** Makes attempt `n`, under the attempt timeout if there is one. */
const call = (plan: Plan, attempt: Attempt, n: number, lastError: Option<unknown>): Promise<Result> =>
  plan.attemptTimeout === undefined
    ? promised(plan.fn, 'the TaskEither', attempt(n, plan.signal, lastError))
    : timed(plan, attempt, n, lastError, plan.attemptTimeout, plan.signal)

/**
 * Runs one attempt under a timeout measured on the clock: when it fires, the attempt's signal aborts
 * and the attempt counts as failed with an `AttemptTimeout`; it is no longer awaited, and what it
 * does later is ignored. Whatever happens, the timer and the listener on the outer signal go. The
 * outer signal must not be aborted yet (the runners look before every attempt).
 */
export const timed = (
  plan: Plan,
  attempt: Attempt,
  n: number,
  lastError: Option<unknown>,
  timeout: number,
  outer: AbortSignal | undefined
): Promise<Result> =>
  new Promise<Result>((resolve, reject) => {
    const timer = new AbortController()
    const inner = new AbortController()
    const aborted = (): void => inner.abort((outer as AbortSignal).reason)
    // clears the timer and the listener on the outer signal, then resolves with a result (`ok`) or
    // rejects with a defect, which aborts the attempt if it still runs
    const end = (value: unknown, ok?: boolean): void => {
      timer.abort()
      if (outer !== undefined) offAbort(outer, aborted)
      if (ok) return resolve(value as Result)
      inner.abort(value)
      reject(value)
    }
    if (outer !== undefined) onAbort(outer, aborted)
    try {
      // the attempt first: one that throws is a defect, and then no timer is started
      promised(plan.fn, 'the TaskEither', attempt(n, inner.signal, lastError)).then((result) => end(result, true), end)
      promised(plan.fn, 'clock.sleep', plan.clock.sleep(timeout, timer.signal)).then(
        () => {
          const error: AttemptTimeout = { _tag: 'AttemptTimeout', attempt: n, timeout }
          inner.abort(error)
          end(left(error), true)
        },
        // aborted by the end of the attempt: nothing to do; anything else is a defect
        (defect) => timer.signal.aborted || end(defect)
      )
    } catch (defect) {
      end(defect)
    }
  })

// a rejection once the signal aborted is the abort (a clock that honours it rejects then): the run ends interrupted
const slept = ({ fn, clock, signal }: Plan, delay: number): Promise<void> =>
  promised(fn, 'clock.sleep', clock.sleep(delay, signal)).then(noop, (error) => {
    if (!signal?.aborted) throw error
  })

/**
 * Sleeps `delay` ms on the clock, or until the signal aborts, whichever comes first: a clock whose
 * `sleep` ignores the signal cannot keep an aborted run alive. The signal must not be aborted yet.
 */
export const sleep = (plan: Plan, delay: number): Promise<void> => {
  if (!plan.racesAbort) return slept(plan, delay)
  const signal = plan.signal as AbortSignal
  let aborted: () => void
  return new Promise<void>((resolve, reject) => {
    onAbort(signal, (aborted = resolve))
    slept(plan, delay).then(resolve, reject)
  }).finally(() => offAbort(signal, aborted))
}

// -------------------------------------------------------------------------------------
// the loop
// -------------------------------------------------------------------------------------

// the recurrences after a first attempt that goes on to the schedule; `start` is NaN when nothing
// can observe it, and the first decision's time stands in for it then
const loop = async (plan: Plan, attempt: Attempt, first: Result, start: number): Promise<Result> => {
  const { fn, mode, schedule, clock, random, signal, budget, onStep, onGiveUp, stop } = plan
  let result = first
  let state = schedule.initial
  let attempts = 1
  let totalDelay = 0
  for (;;) {
    const input = result._tag === 'Left' ? result.left : result.right
    const lastError = mode.continuesOn === 'Left' ? some(input) : none
    if (signal?.aborted) return interrupted(lastError)
    const now = clock.now()
    if (start !== start) start = now
    const decision = decide(fn, schedule, state, input, { now, start, random }, budget)
    if (decision._tag === 'Done') {
      const status: RetryStatus = { attempts, totalDelay, elapsed: now - start, stoppedBy: decision.stoppedBy }
      if (onGiveUp !== undefined) await onGiveUp({ ...status, error: input })
      return stop === undefined ? result : stop(result, status)
    }
    const delay = decision.delay
    // a listener may return a promise: the run waits for it
    if (onStep !== undefined) await onStep(mode.event(attempts, input, delay, now - start, decision.output))
    if (delay > 0 && !signal?.aborted) await sleep(plan, delay)
    // whatever the delays and the clock, timers, I/O and an abort get through
    if (attempts % YIELD_EVERY === 0) await yieldToEventLoop()
    // no attempt starts after an abort, wherever it came from (a listener, the sleep, elsewhere)
    if (signal?.aborted) return interrupted(lastError)
    totalDelay = Math.min(totalDelay + delay, MAX_DELAY)
    state = decision.state
    result = await call(plan, attempt, ++attempts, lastError)
    record(budget, result)
    if (result._tag !== mode.continuesOn) return result
  }
}

const afterFirst = (plan: Plan, attempt: Attempt, result: Result, start: number): Result | Promise<Result> => {
  record(plan.budget, result)
  return result._tag === plan.mode.continuesOn ? loop(plan, attempt, result, start) : result
}

const begin = (
  plan: Plan,
  attempt: Attempt,
  next: ((result: Result) => Result | Promise<Result>) | undefined
): Promise<Result> => {
  const { signal, budget } = plan
  if (signal?.aborted) return Promise.resolve(interrupted(none))
  try {
    budget?.onRequest()
    if (next !== undefined) return call(plan, attempt, 1, none).then(next)
    const start = plan.clock.now()
    return call(plan, attempt, 1, none).then((result) => afterFirst(plan, attempt, result, start))
  } catch (defect) {
    // a TaskEither, a clock or a budget that throws: a defect, reported as a rejection
    return Promise.reject(defect)
  }
}

/**
 * Prepares the runs of one attempt function: the returned thunk runs it until the schedule is done.
 * The continuation after the first attempt is built here, once, when nothing observes the start, so
 * that a call whose first attempt succeeds costs no clock read and no closure.
 */
export const prepare = (plan: Plan, attempt: Attempt): (() => Promise<Result>) => {
  const next = plan.readsStart ? undefined : (result: Result) => afterFirst(plan, attempt, result, NaN)
  return () => begin(plan, attempt, next)
}

/**
 * The hedging run: instead of waiting for an attempt to fail, it launches the next one in parallel
 * when the schedule says so, and the first success wins.
 *
 * Attempt 1 starts at once. After each launch the schedule is stepped with the error of the most
 * recent failed attempt (`undefined` while none has failed): its delay is the wait before the next
 * launch, `Done` means no more launches. A failure while a launch is pending takes that decision
 * again with the new error: `Continue` launches at once, `Done` cancels the launch. The budget is
 * asked when a launch is due (never for attempt 1, never for a launch that does not happen), and
 * `onHedge` is told right before each launch it allows. Whatever ends the run (a success, the last
 * failure, an abort, a defect), every other attempt's signal aborts and the pending launch's timer
 * is cleared; what the losers do afterwards is ignored.
 *
 * @internal
 */
import type { Option } from 'fp-ts/Option'
import type { Step } from '../Schedule'
import { offAbort, onAbort } from './abort'
import {
  type Attempt,
  decide,
  interrupted,
  isThenable,
  type Plan,
  promised,
  record,
  type Result,
  timed,
  YIELD_EVERY,
  yieldToEventLoop
} from './driver'
import { none, some } from './fp'

/** A launch the schedule decided, waiting for its delay. */
interface Pending {
  /** The schedule's state before the decision, to take it again if an attempt fails meanwhile. */
  readonly before: unknown
  readonly step: Step<unknown, unknown>
  /** Clears the timer of the wait. */
  readonly timer: AbortController
}

/** Runs `attempt` hedged, as `plan` says. */
export const hedged = (plan: Plan, attempt: Attempt): Promise<Result> =>
  new Promise<Result>((resolve, reject) => {
    const { fn, schedule, clock, random, signal, budget, attemptTimeout, onStep: onHedge } = plan
    if (signal !== undefined && signal.aborted) {
      resolve(interrupted(none))
      return
    }
    // the attempts in flight, by number: their signals abort when the run ends
    const running = new Map<number, AbortController>()
    let state = schedule.initial
    let pending: Pending | undefined
    // true while a launch is under way (the budget asked, onHedge awaited): the run cannot end then
    let launching = false
    let launched = 0
    let lastError: Option<unknown> = none
    let lastFailure: Result | undefined
    let ended = false
    let start = 0
    let launchedAt = 0

    const end = (): void => {
      ended = true
      if (signal !== undefined) offAbort(signal, aborted)
      pending?.timer.abort()
      pending = undefined
      running.forEach((controller) => controller.abort())
      running.clear()
    }
    const fail = (defect: unknown): void => {
      if (ended) return
      end()
      reject(defect)
    }
    const aborted = (): void => {
      if (ended) return
      end()
      resolve(interrupted(lastError))
    }
    // every callback of the run goes through here: a throw anywhere is a defect that ends it
    const guarded =
      <A extends ReadonlyArray<unknown>>(f: (...args: A) => void) =>
      (...args: A): void => {
        if (ended) return
        try {
          f(...args)
        } catch (defect) {
          fail(defect)
        }
      }

    const finishIfDone = (): void => {
      if (running.size === 0 && pending === undefined && !launching) {
        end()
        resolve(lastFailure as Result)
      }
    }

    const onResult = guarded((n: number, result: Result) => {
      running.delete(n)
      record(budget, result)
      if (result._tag === 'Right') {
        end()
        resolve(result)
        return
      }
      lastError = some(result.left)
      lastFailure = result
      if (pending !== undefined) {
        // the decision is taken again with the new error: launch at once, or never
        const { before, timer } = pending
        timer.abort()
        pending = undefined
        const step = decide(fn, schedule, before, result.left, context(), undefined)
        if (step._tag === 'Continue') {
          due(step, clock.now() - launchedAt)
          return
        }
      }
      finishIfDone()
    })

    const context = () => ({ now: clock.now(), start, random })

    const launch = (): void => {
      const n = ++launched
      const controller = new AbortController()
      running.set(n, controller)
      launchedAt = clock.now()
      const result =
        attemptTimeout === undefined
          ? promised(fn, 'the TaskEither', attempt(n, controller.signal, lastError))
          : timed(plan, attempt, n, lastError, attemptTimeout, controller.signal)
      result.then((r) => onResult(n, r), fail)
      // after each launch, the schedule decides when the next one goes
      const step = decide(
        fn,
        schedule,
        state,
        lastError._tag === 'Some' ? lastError.value : undefined,
        context(),
        undefined
      )
      if (step._tag === 'Done') {
        return
      }
      if (step.delay === 0 && n % YIELD_EVERY !== 0) {
        due(step, 0)
        return
      }
      const timer = new AbortController()
      pending = { before: state, step, timer }
      // a zero delay touches no timer: every 128 launches, one turn of the event loop instead
      const wait =
        step.delay === 0 ? yieldToEventLoop() : promised(fn, 'clock.sleep', clock.sleep(step.delay, timer.signal))
      wait.then(
        guarded(() => {
          if (pending?.timer !== timer) return
          pending = undefined
          due(step, step.delay)
        }),
        (error: unknown) => {
          // aborted because the decision was taken again or the run ended: nothing to do
          if (!timer.signal.aborted) fail(error)
        }
      )
    }

    // a launch is due: the budget may deny it; onHedge is told (and awaited) before it goes
    const due = (step: Step<unknown, unknown>, delay: number): void => {
      if (step._tag === 'Done') return
      if (budget !== undefined && !budget.tryRetry()) {
        finishIfDone()
        return
      }
      state = step.state
      const go = guarded(() => {
        launching = false
        launch()
        finishIfDone()
      })
      if (onHedge === undefined) {
        launch()
        return
      }
      const told = onHedge(plan.mode.event(launched + 1, undefined, delay, clock.now() - start, undefined))
      if (isThenable(told)) {
        launching = true
        told.then(go, fail)
      } else {
        launch()
      }
    }

    try {
      if (budget !== undefined) budget.onRequest()
      start = clock.now()
      if (signal !== undefined) onAbort(signal, aborted)
      launch()
    } catch (defect) {
      fail(defect)
    }
  })

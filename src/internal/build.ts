/**
 * The primitives every schedule is built with: `make` (a state machine), `continueAfter` and
 * `done` (its decisions), and the library's own shorthands on top of them. `Schedule` re-exports
 * the public ones; the internal modules that implement its larger combinators use the rest.
 *
 * @internal
 */
import type { Done, Schedule, Step, StepContext } from '../Schedule'
import { checkFunction, checkSchedule, clampDelay } from './check'
import { ignoresStartWhen } from './start'

/** The decision to continue after `delay` ms (clamped) with `output` and the next `state`. */
export const continueAfter = <S, Out>(delay: number, output: Out, state: S): Step<S, Out> => ({
  _tag: 'Continue',
  delay: clampDelay(delay),
  output,
  state
})

/** The decision to stop. */
export const done: Done = { _tag: 'Done' }

/** A schedule from a state machine; `step` must be a function. */
export const make = <S, In, Out>(
  initial: S,
  step: (input: In, context: StepContext, state: S) => Step<S, Out>
): Schedule<In, Out> => {
  checkFunction('Schedule.make', 'step', step)
  return { initial, step: step as Schedule<In, Out>['step'] }
}

/**
 * A schedule of the library's, whose step is the library's own function (so it is not checked as
 * `make` checks a user's), that reads no `start` unless one of the schedules it steps does (see
 * internal/start: a run of it then needs no clock read to begin).
 */
export const build = <S, In, Out>(
  initial: S,
  step: (input: In, context: StepContext, state: S) => Step<S, Out>,
  ...steps: ReadonlyArray<Schedule<never, unknown>>
): Schedule<In, Out> => ignoresStartWhen({ initial, step: step as Schedule<In, Out>['step'] }, ...steps)

/** Checks the schedule a modifier or combinator is applied to. */
export const checkSelf = <S extends Schedule<never, unknown>>(fn: string, self: S): S => checkSchedule(fn, 'self', self)

/** A schedule that steps `self` with its state, through `step`. */
export const derive = <In, Out, In2, Out2>(
  self: Schedule<In, Out>,
  step: (input: In2, context: StepContext, state: unknown) => Step<unknown, Out2>
): Schedule<In2, Out2> => build(self.initial, step, self)

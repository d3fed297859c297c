/**
 * The combinators of `Schedule` that hold the state of several schedules or phases: `intersect`,
 * `union`, `andThen`, `resetAfter` and `resetWhen`. `Schedule` documents and re-exports them.
 *
 * @internal
 */
import type { Predicate } from 'fp-ts/Predicate'
import type { Continue, Schedule, Step, StepContext } from '../Schedule'
import { build, checkSelf, continueAfter, done, make } from './build'
import { checkDuration, checkFunction, checkSchedule } from './check'

export const intersect = <In2, Out2>(
  that: Schedule<In2, Out2>
): (<In, Out>(self: Schedule<In, Out>) => Schedule<In & In2, readonly [Out, Out2]>) => {
  checkSchedule('Schedule.intersect', 'that', that)
  return <In, Out>(self: Schedule<In, Out>): Schedule<In & In2, readonly [Out, Out2]> =>
    build(
      [checkSelf('Schedule.intersect', self).initial, that.initial] as readonly [unknown, unknown],
      (input: In & In2, context, [left, right]): Step<readonly [unknown, unknown], readonly [Out, Out2]> => {
        const l = self.step(input, context, left)
        if (l._tag === 'Done') {
          return done
        }
        const r = that.step(input, context, right)
        if (r._tag === 'Done') {
          return done
        }
        return continueAfter(
          l.delay > r.delay ? l.delay : r.delay,
          [l.output, r.output] as const,
          [l.state, r.state] as const
        )
      },
      self,
      that
    )
}

interface UnionState {
  readonly left: unknown
  readonly right: unknown
  readonly leftDone: boolean
  readonly rightDone: boolean
  readonly lastLeft: unknown
  readonly lastRight: unknown
}

export const union = <In2, Out2>(
  that: Schedule<In2, Out2>
): (<In, Out>(self: Schedule<In, Out>) => Schedule<In & In2, readonly [Out | undefined, Out2 | undefined]>) => {
  checkSchedule('Schedule.union', 'that', that)
  return <In, Out>(self: Schedule<In, Out>) =>
    build<UnionState, In & In2, readonly [Out | undefined, Out2 | undefined]>(
      {
        left: checkSelf('Schedule.union', self).initial,
        right: that.initial,
        leftDone: false,
        rightDone: false,
        lastLeft: undefined,
        lastRight: undefined
      },
      (input, context, state) => {
        const l = state.leftDone ? done : self.step(input, context, state.left)
        const r = state.rightDone ? done : that.step(input, context, state.right)
        if (l._tag === 'Done') {
          if (r._tag === 'Done') {
            return done
          }
          return continueAfter(r.delay, [state.lastLeft as Out | undefined, r.output] as const, {
            ...state,
            leftDone: true,
            right: r.state,
            lastRight: r.output
          })
        }
        if (r._tag === 'Done') {
          return continueAfter(l.delay, [l.output, state.lastRight as Out2 | undefined] as const, {
            ...state,
            rightDone: true,
            left: l.state,
            lastLeft: l.output
          })
        }
        return continueAfter(l.delay < r.delay ? l.delay : r.delay, [l.output, r.output] as const, {
          left: l.state,
          right: r.state,
          leftDone: false,
          rightDone: false,
          lastLeft: l.output,
          lastRight: r.output
        })
      },
      self,
      that
    )
}

export const andThen = <In2, Out2>(
  that: Schedule<In2, Out2>
): (<In, Out>(self: Schedule<In, Out>) => Schedule<In & In2, Out | Out2>) => {
  checkSchedule('Schedule.andThen', 'that', that)
  // state: the phase (0: self, not continued yet; 1: self; 2: that), the state of the schedule that
  // runs, and when that's phase started: the now of its first step, or the run's start when self was
  // done at once (so that `stop` is the identity of andThen)
  return <In, Out>(self: Schedule<In, Out>): Schedule<In & In2, Out | Out2> =>
    build(
      [0, checkSelf('Schedule.andThen', self).initial, 0] as readonly [0 | 1 | 2, unknown, number],
      (
        input: In & In2,
        context,
        [phase, state, phaseStart]
      ): Step<readonly [0 | 1 | 2, unknown, number], Out | Out2> => {
        if (phase !== 2) {
          const step = self.step(input, context, state)
          if (step._tag === 'Continue') {
            return continueAfter(step.delay, step.output, [1, step.state, 0] as const)
          }
        }
        const start = phase === 2 ? phaseStart : phase === 1 ? context.now : context.start
        const step = that.step(
          input,
          { now: context.now, start, random: context.random },
          phase === 2 ? state : that.initial
        )
        return step._tag === 'Done' ? step : continueAfter(step.delay, step.output, [2, step.state, start] as const)
      },
      self,
      that
    )
}

export const resetAfter = (ms: number): (<In, Out>(self: Schedule<In, Out>) => Schedule<In, Out>) => {
  checkDuration('Schedule.resetAfter', 'ms', ms)
  // state: self's state, when the next attempt starts (undefined: the first attempt, at the run's start),
  // and where self's current phase started (undefined: where the run started)
  return <In, Out>(self: Schedule<In, Out>): Schedule<In, Out> =>
    make(
      [checkSelf('Schedule.resetAfter', self).initial, undefined, undefined] as readonly [
        unknown,
        number | undefined,
        number | undefined
      ],
      (input: In, context, [state, attemptStart = context.start, phaseStart]) =>
        restart(self, input, context, state, context.now - attemptStart >= ms, phaseStart, (step, start) => [
          step.state,
          context.now + step.delay,
          start
        ])
    )
}

export const resetWhen = <In>(
  predicate: Predicate<In>
): (<In2 extends In, Out>(self: Schedule<In2, Out>) => Schedule<In2, Out>) => {
  checkFunction('Schedule.resetWhen', 'predicate', predicate)
  // state: self's state and where its current phase started (undefined: where the run started)
  return <In2 extends In, Out>(self: Schedule<In2, Out>): Schedule<In2, Out> =>
    build(
      [checkSelf('Schedule.resetWhen', self).initial, undefined] as readonly [unknown, number | undefined],
      (input: In2, context, [state, phaseStart]) =>
        restart(self, input, context, state, predicate(input), phaseStart, (step, start) => [step.state, start]),
      self
    )
}

// internal: steps `self`, from its initial state and in a phase starting now when `reset`; `next`
// builds the wrapper's state from self's step and the phase's start
const restart = <In, Out, S>(
  self: Schedule<In, Out>,
  input: In,
  context: StepContext,
  state: unknown,
  reset: boolean,
  phaseStart: number | undefined,
  next: (step: Continue<unknown, Out>, start: number | undefined) => S
): Step<S, Out> => {
  const start = reset ? context.now : phaseStart
  const step = self.step(
    input,
    start === undefined ? context : { now: context.now, start, random: context.random },
    reset ? self.initial : state
  )
  return step._tag === 'Done' ? step : continueAfter(step.delay, step.output, next(step, start))
}

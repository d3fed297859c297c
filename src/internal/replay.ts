/**
 * Replaying a schedule without running anything: `simulate` lists its decisions, `nthDelay` finds
 * one of them. Both step the schedule in the one loop below, on a virtual clock, with the delays
 * clamped as the runners clamp them. `Schedule` documents and re-exports them.
 *
 * @internal
 */
import type { Option } from 'fp-ts/Option'
import type { NthDelayOptions, Schedule, SimulationOptions, SimulationStep } from '../Schedule'
import { checkSelf } from './build'
import { checkCount, checkDuration, checkFinite, checkFunction, checkInteger, clampDelay, describe } from './check'
import { none, some } from './fp'
import { fnv1a, seeded } from './random'

interface Replay<In> {
  /** The most decisions to take. */
  readonly steps: number
  /** When the first attempt starts; the virtual time starts there. */
  readonly start: number
  readonly random: () => number
  /** How long each attempt takes: the time passes before each decision. */
  readonly attemptDuration: number
  /** The input of decision `i` (0-based). */
  readonly input: (i: number) => In
  /** The time the last decision sees, when it is not the virtual time. */
  readonly lastNow: number | undefined
}

/**
 * Steps `self` from its initial state, as a run would: before each decision the virtual time
 * advances by `attemptDuration`, after it by the (clamped) delay. `visit` sees each decision that
 * continues; the loop ends after `steps` decisions or when the schedule is done.
 */
const replay = <In, Out>(
  self: Schedule<In, Out>,
  { steps, start, random, attemptDuration, input, lastNow }: Replay<In>,
  visit: (i: number, delay: number, output: Out, now: number) => void
): void => {
  let time = start
  let state = self.initial
  for (let i = 0; i < steps; i++) {
    time += attemptDuration
    const now = lastNow !== undefined && i === steps - 1 ? lastNow : time
    const step = self.step(input(i), { now, start, random }, state)
    if (step._tag === 'Done') {
      return
    }
    const delay = clampDelay(step.delay)
    visit(i, delay, step.output, now)
    time = now + delay
    state = step.state
  }
}

/** `Schedule.simulate`. */
export const simulate = <In = undefined>(
  options: SimulationOptions<In>
): (<Out>(self: Schedule<In, Out>) => ReadonlyArray<SimulationStep<Out>>) => {
  const fn = 'Schedule.simulate'
  const steps = checkCount(fn, 'steps', options.steps)
  const seed = checkInteger(fn, 'seed', options.seed ?? 0)
  const start = checkFinite(fn, 'start', options.start ?? 0)
  const attemptDuration = checkDuration(fn, 'attemptDuration', options.attemptDuration ?? 0)
  const source = options.random === undefined ? undefined : checkFunction(fn, 'random', options.random)
  const inputs = options.inputs
  return <Out>(self: Schedule<In, Out>) => {
    const out: Array<SimulationStep<Out>> = []
    replay(
      checkSelf(fn, self),
      {
        steps: inputs === undefined ? steps : Math.min(steps, inputs.length),
        start,
        random: source ?? seeded(seed),
        attemptDuration,
        input: inputs === undefined ? () => undefined as In : (i) => inputs[i],
        lastNow: undefined
      },
      (i, delay, output, now) => out.push({ attempt: i + 1, delay, output, elapsed: now - start })
    )
    return out
  }
}

/** `Schedule.nthDelay`. */
export const nthDelay = <In = undefined>(
  n: number,
  options?: NthDelayOptions<In>
): (<Out>(self: Schedule<In, Out>) => Option<number>) => {
  const fn = 'Schedule.nthDelay'
  const count = checkInteger(fn, 'n', n)
  if (count < 1) {
    throw new RangeError(`${fn}: n must be an integer >= 1, got ${count}`)
  }
  if (options !== undefined && (options === null || typeof options !== 'object')) {
    throw new TypeError(`${fn}: options must be an object, got ${describe(options)}`)
  }
  const seed = options?.seed
  const hash =
    seed === undefined
      ? 0
      : typeof seed === 'string'
      ? fnv1a(seed)
      : typeof seed === 'number'
      ? checkInteger(fn, 'seed', seed)
      : seedError(fn, seed)
  const start = options?.start === undefined ? 0 : checkFinite(fn, 'start', options.start)
  const now = options?.now === undefined ? undefined : checkFinite(fn, 'now', options.now)
  const input = options?.input as In
  return (self) => {
    let last: Option<number> = none
    replay(
      checkSelf(fn, self),
      { steps: count, start, random: seeded(hash), attemptDuration: 0, input: () => input, lastNow: now },
      (i, delay) => {
        if (i === count - 1) last = some(delay)
      }
    )
    return last
  }
}

const seedError = (fn: string, seed: unknown): never => {
  throw new TypeError(`${fn}: seed must be an integer or a string, got ${describe(seed)}`)
}

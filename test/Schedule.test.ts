import * as fc from 'fast-check'
import { pipe } from 'fp-ts/function'
import * as O from 'fp-ts/Option'
import { describe, expect, expectTypeOf, it } from 'vitest'
import * as S from '../src/Schedule'
import { build, duration, isValid, recipeTags, tagsOf, validRecipe } from './arbitraries'
import { delaysOf, outputsOf, piped } from './helpers'

const MAX = Number.MAX_SAFE_INTEGER

describe('model', () => {
  it('continueAfter clamps NaN, negative and huge delays', () => {
    const delayOf = (d: number) => (S.continueAfter(d, null, null) as S.Continue<null, null>).delay
    expect(delayOf(NaN)).toBe(0)
    expect(delayOf(-1)).toBe(0)
    expect(delayOf(-Infinity)).toBe(0)
    expect(delayOf(Infinity)).toBe(MAX)
    expect(delayOf(12.5)).toBe(12.5)
  })

  it('continueAfter turns -0 and values that are not numbers into 0', () => {
    const delayOf = (d: unknown) => (S.continueAfter(d as number, null, null) as S.Continue<null, null>).delay
    expect(Object.is(delayOf(-0), 0)).toBe(true)
    expect(delayOf(null)).toBe(0)
    expect(delayOf('5')).toBe(0)
    expect(delayOf(true)).toBe(0)
    expect(Object.is(delaysOf(S.constant(-0), 1)[0], 0)).toBe(true)
    expect(delaysOf(piped(S.constant(10))(S.addDelay(() => '5' as unknown as number)), 1)).toEqual([10])
    expect(delaysOf(piped(S.constant(10))(S.modifyDelay(() => null as unknown as number)), 1)).toEqual([0])
  })

  it('make rejects a step that is not a function', () => {
    expect(() => S.make(0, 'nope' as never)).toThrow(
      new TypeError('Schedule.make: step must be a function, got string nope')
    )
  })

  it('a schedule written outside the library composes with the built-in ones', () => {
    // a user-written combinator: doubles the delay of any schedule by stepping it
    const doubled = <In, Out>(self: S.Schedule<In, Out>): S.Schedule<In, Out> =>
      S.make(self.initial, (input: In, context, state) => {
        const step = self.step(input, context, state)
        return S.isDone(step) ? step : S.continueAfter(step.delay * 2, step.output, step.state)
      })
    expect(delaysOf(pipe(S.exponential(10), doubled, S.maxRetries(3)), 10)).toEqual([20, 40, 80])
  })

  it('a schedule value holds no state: two runs of one value give the same decisions', () => {
    const policy = pipe(S.fibonacci(10), S.jittered, S.maxRetries(5))
    expect(delaysOf(policy, 10)).toEqual(delaysOf(policy, 10))
    expect(delaysOf(policy, 10)).toHaveLength(5)
  })
})

describe('constructors', () => {
  it('forever recurs with no delay and counts', () => {
    expect(pipe(S.forever, S.simulate({ steps: 4 })).map((s) => [s.delay, s.output])).toEqual([
      [0, 0],
      [0, 1],
      [0, 2],
      [0, 3]
    ])
  })

  it('recurs(n) gives n zero delays then is done', () => {
    expect(delaysOf(S.recurs(3), 10)).toEqual([0, 0, 0])
    expect(outputsOf(S.recurs(3), 10)).toEqual([0, 1, 2])
    expect(delaysOf(S.recurs(0), 10)).toEqual([])
    expect(delaysOf(S.once, 10)).toEqual([0])
    expect(delaysOf(S.stop, 10)).toEqual([])
  })

  it('constant and spaced repeat their delay and count', () => {
    expect(delaysOf(S.constant(250), 3)).toEqual([250, 250, 250])
    expect(delaysOf(S.spaced(7), 2)).toEqual([7, 7])
    expect(outputsOf(S.constant(1), 3)).toEqual([0, 1, 2])
  })

  it('exponential(100) gives 100, 200, 400, 800 and outputs the delay', () => {
    expect(delaysOf(S.exponential(100), 4)).toEqual([100, 200, 400, 800])
    expect(outputsOf(S.exponential(100), 4)).toEqual([100, 200, 400, 800])
    expect(delaysOf(S.exponential(10, 1.5), 3)).toEqual([10, 15, 22.5])
    expect(delaysOf(S.exponential(0), 3)).toEqual([0, 0, 0])
  })

  it('fibonacci(100) gives 100, 100, 200, 300, 500', () => {
    expect(delaysOf(S.fibonacci(100), 6)).toEqual([100, 100, 200, 300, 500, 800])
  })

  it('linear(100) gives 100, 200, 300', () => {
    expect(delaysOf(S.linear(100), 3)).toEqual([100, 200, 300])
  })

  it('fromDelays(5, 10) gives 5, 10 then is done', () => {
    expect(delaysOf(S.fromDelays(5, 10), 10)).toEqual([5, 10])
    expect(delaysOf(S.fromDelays(), 10)).toEqual([])
  })

  it('fromDelays copies its arguments', () => {
    const list = [1, 2, 3]
    const schedule = S.fromDelays(...list)
    list[0] = 99
    expect(delaysOf(schedule, 10)).toEqual([1, 2, 3])
  })

  it('decorrelatedJitter stays within [base, cap] and grows from base', () => {
    const delays = delaysOf(S.decorrelatedJitter({ base: 100, cap: 10_000 }), 10_000)
    for (const d of delays) {
      expect(d).toBeGreaterThanOrEqual(100)
      expect(d).toBeLessThanOrEqual(10_000)
    }
    // the first delay is drawn from U(100, 300)
    expect(delays[0]).toBeLessThan(300)
    // it reaches the cap region sometimes, and it is random
    expect(Math.max(...delays)).toBeGreaterThan(5_000)
    expect(new Set(delays).size).toBeGreaterThan(1000)
    // each delay is within U(base, 3 * previous)
    let previous = 100
    for (const d of delays) {
      expect(d).toBeLessThanOrEqual(Math.min(10_000, 3 * previous))
      previous = d
    }
  })

  it('decorrelatedJitter stays finite with bounds beyond MAX_SAFE_INTEGER, even when random() is 0', () => {
    const huge = S.decorrelatedJitter({ base: 1e308, cap: 1e308 })
    let state = huge.initial
    for (let i = 0; i < 3; i++) {
      const step = huge.step(undefined, { now: 0, start: 0, random: () => 0 }, state)
      expect(step).toMatchObject({ _tag: 'Continue', delay: MAX, output: MAX })
      state = (step as S.Continue<unknown, number>).state
    }
    expect(delaysOf(huge, 50).every((d) => d === MAX)).toBe(true)
  })

  it('decorrelatedJitter with base = cap is constant', () => {
    expect(delaysOf(S.decorrelatedJitter({ base: 50, cap: 50 }), 3)).toEqual([50, 50, 50])
  })

  it('fixed waits for the next interval boundary given how long the attempt took', () => {
    expect(delaysOf(S.fixed(100), { steps: 3, attemptDuration: 30 })).toEqual([70, 70, 70])
    expect(pipe(S.fixed(100), S.simulate({ steps: 3 })).map((s) => [s.delay, s.elapsed])).toEqual([
      [100, 0],
      [100, 100],
      [100, 200]
    ])
  })

  it('fixed starts at once when an attempt overruns, and does not replay missed slots', () => {
    const timeline = pipe(S.fixed(100), S.simulate({ steps: 3, attemptDuration: 250 }))
    expect(timeline.map((s) => s.delay)).toEqual([0, 0, 0])
  })

  it('fixed realigns after an overrun', () => {
    // step by hand: first attempt ends at 250 (overrun), next at 260, next at 360
    const schedule = S.fixed(100)
    const random = () => 0
    const s1 = schedule.step(undefined, { now: 250, start: 0, random }, schedule.initial) as S.Continue<unknown, number>
    expect(s1.delay).toBe(0)
    const s2 = schedule.step(undefined, { now: 260, start: 0, random }, s1.state) as S.Continue<unknown, number>
    expect(s2.delay).toBe(90)
    const s3 = schedule.step(undefined, { now: 360, start: 0, random }, s2.state) as S.Continue<unknown, number>
    expect(s3.delay).toBe(90)
  })

  it('fixed keeps its grid when a union retried sooner: 0, 1000, 1000 (no point skipped)', () => {
    expect(delaysOf(pipe(S.fromDelays(0), S.union(S.fixed(1000))), 3)).toEqual([0, 1000, 1000])
    expect(delaysOf(pipe(S.fromDelays(0, 0, 0), S.union(S.fixed(1000))), 5)).toEqual([0, 0, 0, 1000, 1000])
  })

  it('fixed: an attempt that ends exactly one interval late waits a whole interval; a bit later is an overrun', () => {
    expect(delaysOf(S.fixed(100), { steps: 2, attemptDuration: 100 })).toEqual([100, 100])
    expect(delaysOf(S.fixed(100), { steps: 2, attemptDuration: 101 })).toEqual([0, 0])
  })

  it('fixed anchors its grid where the schedule starts, not at zero', () => {
    expect(delaysOf(S.fixed(100), { steps: 2, start: 1_700_000_000_050, attemptDuration: 30 })).toEqual([70, 70])
  })

  it('windowed waits for the end of the current window, and an overrun waits for the next one', () => {
    expect(delaysOf(S.windowed(100), { steps: 3, attemptDuration: 30 })).toEqual([70, 70, 70])
    // 250 -> 300, then 550 -> 600: never at once, always on a boundary
    expect(
      pipe(S.windowed(100), S.simulate({ steps: 2, attemptDuration: 250 })).map((s) => [s.elapsed, s.delay])
    ).toEqual([
      [250, 50],
      [550, 50]
    ])
    // exactly on a boundary: the whole next window
    expect(delaysOf(S.windowed(100), 2)).toEqual([100, 100])
    expect(outputsOf(S.windowed(100), 3)).toEqual([0, 1, 2])
    expect(delaysOf(S.windowed(0), 3)).toEqual([0, 0, 0])
  })
})

describe('jitter', () => {
  const N = 10_000
  const base = S.constant(1000)
  const bounds: ReadonlyArray<[string, S.Schedule<unknown, number>, number, number]> = [
    ['jittered', pipe(base, S.jittered), 800, 1200],
    ['jitteredWith', pipe(base, S.jitteredWith({ min: 0.5, max: 1.5 })), 500, 1500],
    ['fullJitter', pipe(base, S.fullJitter), 0, 1000],
    ['equalJitter', pipe(base, S.equalJitter), 500, 1000],
    ['addJitter(max)', pipe(base, S.addJitter(100)), 1000, 1100],
    ['addJitter([min, max])', pipe(base, S.addJitter([50, 100])), 1050, 1100],
    ['decorrelatedJitter', S.decorrelatedJitter({ base: 1000, cap: 3000 }), 1000, 3000]
  ]

  it.each(bounds)(
    '%s stays within its bounds over 10,000 seeded steps and spreads over them',
    (_, schedule, lo, hi) => {
      const delays = delaysOf(schedule, { steps: N, seed: 42 })
      expect(delays).toHaveLength(N)
      let min = Infinity
      let max = -Infinity
      for (const d of delays) {
        min = Math.min(min, d)
        max = Math.max(max, d)
      }
      expect(min).toBeGreaterThanOrEqual(lo)
      expect(max).toBeLessThanOrEqual(hi)
      // it really spreads: the observed range covers most of the allowed one
      expect(max - min).toBeGreaterThan((hi - lo) * 0.9)
    }
  )

  it.each(bounds)('%s: the same seed gives the same sequence, other seeds differ', (_, schedule) => {
    expect(delaysOf(schedule, { steps: 100, seed: 7 })).toEqual(delaysOf(schedule, { steps: 100, seed: 7 }))
    expect(delaysOf(schedule, { steps: 100, seed: 7 })).not.toEqual(delaysOf(schedule, { steps: 100, seed: 8 }))
    expect(delaysOf(schedule, 100)).toEqual(delaysOf(schedule, { steps: 100, seed: 0 }))
  })

  it('jitter draws from the injected random source', () => {
    const step = (schedule: S.Schedule<unknown, number>, r: number) =>
      (schedule.step(undefined, { now: 0, start: 0, random: () => r }, schedule.initial) as S.Continue<unknown, number>)
        .delay
    expect(step(pipe(base, S.jittered), 0)).toBe(800)
    expect(step(pipe(base, S.jittered), 0.5)).toBe(1000)
    expect(step(pipe(base, S.fullJitter), 0.25)).toBe(250)
    expect(step(pipe(base, S.equalJitter), 0.5)).toBe(750)
    expect(step(pipe(base, S.addJitter(100)), 0.5)).toBe(1050)
    expect(step(pipe(base, S.jitteredWith({ min: 2, max: 2 })), 0.9)).toBe(2000)
    expect(step(S.decorrelatedJitter({ base: 100, cap: 1000 }), 0.5)).toBe(200)
  })

  it('is roughly uniform: fullJitter averages half the delay', () => {
    const delays = delaysOf(pipe(base, S.fullJitter), { steps: N, seed: 3 })
    const mean = delays.reduce((a, b) => a + b, 0) / N
    expect(mean).toBeGreaterThan(480)
    expect(mean).toBeLessThan(520)
  })
})

describe('modifiers', () => {
  it('capDelay bounds each delay', () => {
    expect(delaysOf(pipe(S.exponential(100), S.capDelay(300)), 4)).toEqual([100, 200, 300, 300])
  })

  it('capDelay after jitter is a hard bound, before jitter it is not', () => {
    const after = delaysOf(pipe(S.constant(1000), S.jittered, S.capDelay(1000)), 1000)
    expect(Math.max(...after)).toBe(1000)
    const before = delaysOf(pipe(S.constant(1000), S.capDelay(1000), S.jittered), 1000)
    expect(Math.max(...before)).toBeGreaterThan(1000)
  })

  it('minDelay raises each delay', () => {
    expect(delaysOf(pipe(S.fromDelays(10, 500), S.minDelay(100)), 4)).toEqual([100, 500])
  })

  it('addDelay adds f(output) and clamps what f returns', () => {
    expect(delaysOf(piped(S.recurs(3))(S.addDelay((n) => n * 100)), 5)).toEqual([0, 100, 200])
    expect(delaysOf(piped(S.constant(10))(S.addDelay(() => NaN)), 1)).toEqual([10])
    expect(delaysOf(piped(S.constant(10))(S.addDelay(() => -50)), 1)).toEqual([10])
    expect(delaysOf(piped(S.constant(10))(S.addDelay(() => Infinity)), 1)).toEqual([MAX])
  })

  it('modifyDelay replaces the delay and clamps what f returns', () => {
    expect(delaysOf(piped(S.exponential(100))(S.modifyDelay((d, out) => d + out)), 3)).toEqual([200, 400, 800])
    expect(delaysOf(piped(S.constant(10))(S.modifyDelay(() => NaN)), 1)).toEqual([0])
    expect(delaysOf(piped(S.constant(10))(S.modifyDelay(() => -1)), 1)).toEqual([0])
    expect(delaysOf(piped(S.constant(10))(S.modifyDelay(() => 2 ** 60)), 1)).toEqual([MAX])
  })

  it('withDelayHint waits at least the hint, and capDelay after it bounds the hint', () => {
    interface HttpError {
      readonly status: number
      readonly retryAfter?: number
    }
    const policy = pipe(
      S.exponential(100),
      S.withDelayHint((e: HttpError) => O.fromNullable(e.retryAfter)),
      S.capDelay(5000)
    )
    const inputs: ReadonlyArray<HttpError> = [
      { status: 503, retryAfter: 2000 },
      { status: 500 },
      { status: 503, retryAfter: 50 },
      { status: 503, retryAfter: 60_000 },
      { status: 503, retryAfter: NaN },
      { status: 503, retryAfter: -10 }
    ]
    expect(delaysOf(policy, { steps: 10, inputs })).toEqual([2000, 200, 400, 5000, 1600, 3200])
  })
})

describe('limits', () => {
  it('maxRetries(n) allows n recurrences and keeps the output', () => {
    expect(pipe(S.exponential(100), S.maxRetries(3), S.simulate({ steps: 10 })).map((s) => s.output)).toEqual([
      100, 200, 400
    ])
    expect(delaysOf(pipe(S.forever, S.maxRetries(0)), 10)).toEqual([])
    expect(delaysOf(pipe(S.recurs(1), S.maxRetries(5)), 10)).toEqual([0])
  })

  it('maxElapsed stops when elapsed plus the next delay would pass the deadline', () => {
    expect(delaysOf(pipe(S.exponential(100), S.maxElapsed(1000)), 10)).toEqual([100, 200, 400])
    // with attempts of 100 ms: 100 + 100, 300 + 200, 600 + 400 = 1000 (allowed), then 1500 + 800
    expect(pipe(S.exponential(100), S.maxElapsed(1000), S.simulate({ steps: 10, attemptDuration: 100 })).length).toBe(3)
    // with attempts of 101 ms, the third sleep would end at 1003
    expect(pipe(S.exponential(100), S.maxElapsed(1000), S.simulate({ steps: 10, attemptDuration: 101 })).length).toBe(2)
    expect(delaysOf(pipe(S.constant(500), S.maxElapsed(1000)), 10)).toEqual([500, 500])
  })

  it('maxElapsed never schedules a sleep that ends past the deadline (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 0, max: 1_000 }),
        fc.integer({ min: 0, max: 500 }),
        fc.integer({ min: 0, max: 1000 }),
        fc.integer(),
        (deadline, base, attemptDuration, start, seed) => {
          const policy = pipe(S.exponential(base), S.fullJitter, S.maxElapsed(deadline))
          for (const s of pipe(policy, S.simulate({ steps: 200, attemptDuration, seed, start }))) {
            expect(s.elapsed + s.delay).toBeLessThanOrEqual(deadline)
          }
        }
      )
    )
  })

  it('maxCumulativeDelay stops when the sum of delays would pass the bound', () => {
    expect(delaysOf(pipe(S.constant(300), S.maxCumulativeDelay(1000)), 10)).toEqual([300, 300, 300])
    expect(delaysOf(pipe(S.constant(250), S.maxCumulativeDelay(1000)), 10)).toEqual([250, 250, 250, 250])
    expect(delaysOf(pipe(S.fromDelays(1), S.maxCumulativeDelay(1000)), 10)).toEqual([1])
    // attempt time does not count
    expect(
      pipe(S.constant(300), S.maxCumulativeDelay(1000), S.simulate({ steps: 10, attemptDuration: 1000 })).length
    ).toBe(3)
  })

  it('whileInput / untilInput look at the input', () => {
    const isTransient = (status: number) => status === 503
    const inputs = [503, 503, 404, 503]
    expect(pipe(S.constant(1), S.whileInput(isTransient), S.simulate({ steps: 10, inputs })).length).toBe(2)
    expect(
      pipe(
        S.constant(1),
        S.untilInput((s: number) => s === 404),
        S.simulate({ steps: 10, inputs })
      ).length
    ).toBe(2)
  })

  it('whileOutput / untilOutput look at the output', () => {
    expect(delaysOf(piped(S.exponential(200))(S.whileOutput((d) => d < 1000)), 10)).toEqual([200, 400, 800])
    expect(delaysOf(piped(S.forever)(S.untilOutput((n) => n === 3)), 10)).toHaveLength(3)
    expect(delaysOf(piped(S.recurs(2))(S.whileOutput(() => true)), 10)).toHaveLength(2)
  })
})

describe('combinators', () => {
  it('intersect continues while both do, with the longer delay and both outputs', () => {
    const policy = pipe(S.exponential(100), S.intersect(S.constant(150)), S.intersect(S.recurs(3)))
    expect(pipe(policy, S.simulate({ steps: 10 })).map((s) => [s.delay, s.output])).toEqual([
      [150, [[100, 0], 0]],
      [200, [[200, 1], 1]],
      [400, [[400, 2], 2]]
    ])
    expect(delaysOf(pipe(S.recurs(5), S.intersect(S.recurs(2))), 10)).toHaveLength(2)
    expect(delaysOf(pipe(S.recurs(2), S.intersect(S.recurs(5))), 10)).toHaveLength(2)
  })

  it('union continues while either does, with the shorter delay; a done side keeps its last output', () => {
    const policy = pipe(S.fromDelays(10, 10), S.union(S.fromDelays(50, 5, 50)))
    expect(pipe(policy, S.simulate({ steps: 10 })).map((s) => [s.delay, s.output])).toEqual([
      [10, [10, 50]],
      [5, [10, 5]],
      [50, [10, 50]]
    ])
    const other = pipe(S.fromDelays(1, 2, 3), S.union(S.fromDelays(7)))
    expect(pipe(other, S.simulate({ steps: 10 })).map((s) => [s.delay, s.output])).toEqual([
      [1, [1, 7]],
      [2, [2, 7]],
      [3, [3, 7]]
    ])
    const never = pipe(S.stop, S.union(S.fromDelays(4)))
    expect(outputsOf(never, 10)).toEqual([[undefined, 4]])
  })

  it('andThen runs one schedule to its end, then the other from its start', () => {
    const policy = pipe(S.exponential(10), S.maxRetries(2), S.andThen(pipe(S.constant(1000), S.maxRetries(2))))
    expect(pipe(policy, S.simulate({ steps: 10 })).map((s) => [s.delay, s.output])).toEqual([
      [10, 10],
      [20, 20],
      [1000, 0],
      [1000, 1]
    ])
    expect(delaysOf(pipe(S.stop, S.andThen(S.stop)), 10)).toEqual([])
    expect(delaysOf(pipe(S.stop, S.andThen(S.fromDelays(3))), 10)).toEqual([3])
  })

  it("andThen's second schedule starts where its phase starts: 1500, 1000, 1000", () => {
    expect(delaysOf(pipe(S.fromDelays(1500), S.andThen(S.fixed(1000))), 3)).toEqual([1500, 1000, 1000])
    // its elapsed and maxElapsed count from its first decision too
    const phased = pipe(S.fromDelays(5000), S.andThen(pipe(S.constant(100), S.maxElapsed(250), S.elapsed)))
    expect(pipe(phased, S.simulate({ steps: 10 })).map((s) => [s.delay, s.output])).toEqual([
      [5000, 5000],
      [100, 0],
      [100, 100]
    ])
  })

  it('andThen after a schedule done at once is the second schedule over the whole run', () => {
    const timed = pipe(S.constant(50), S.maxElapsed(100))
    const options = { steps: 10, attemptDuration: 30 }
    expect(pipe(S.stop, S.andThen(timed), S.simulate(options))).toEqual(pipe(timed, S.simulate(options)))
  })

  it('resetAfter starts again from the initial state after an attempt that lived at least ms', () => {
    const policy = pipe(S.exponential(100), S.resetAfter(1000))
    const step = (now: number, state: unknown) =>
      policy.step(undefined, { now, start: 0, random: () => 0 }, state) as S.Continue<unknown, number>
    const a = step(0, policy.initial) // attempt 2 starts at 100
    const b = step(100, a.state) // attempt 3 starts at 300
    const c = step(1299, b.state) // lived 999 ms: no reset
    const d = step(1299 + 400 + 1000, c.state) // lived 1000 ms: reset
    expect([a, b, c, d].map((x) => x.delay)).toEqual([100, 200, 400, 100])
    // the first attempt counts from the start of the run
    expect(step(1000, policy.initial).delay).toBe(100)
  })

  it('resetAfter: after a reset, a deadline inside counts from the reset, not from the start of the run', () => {
    const policy = pipe(S.constant(100), S.maxElapsed(500), S.resetAfter(10_000))
    const ctx = (now: number) => ({ now, start: 0, random: () => 0 })
    const first = policy.step(undefined, ctx(0), policy.initial) as S.Continue<unknown, number>
    // an hour later, the attempt that just failed lived long: the deadline applies anew
    expect(policy.step(undefined, ctx(3_600_000), first.state)._tag).toBe('Continue')
    // without the reset, the deadline is long gone
    expect(pipe(S.constant(100), S.maxElapsed(500)).step(undefined, ctx(3_600_000), first.state)._tag).toBe('Done')
  })

  it('resetWhen starts again from the initial state on the inputs that satisfy the predicate', () => {
    const policy = pipe(
      S.exponential(100),
      S.maxRetries(3),
      S.resetWhen((e: string) => e === 'reset')
    )
    const inputs = ['a', 'a', 'reset', 'a', 'a', 'a', 'a']
    expect(delaysOf(policy, { steps: 10, inputs })).toEqual([100, 200, 100, 200, 400])
  })

  it('passthrough outputs the input; mapInput adapts the input; promap does both', () => {
    expect(pipe(S.recurs(2), S.passthrough, S.simulate({ steps: 5, inputs: [7, 8, 9] })).map((s) => s.output)).toEqual([
      7, 8
    ])
    const onLength = piped(S.forever)(S.whileInput((n: number) => n < 4))
    const onString = piped(onLength)(S.mapInput((s: string) => s.length))
    expect(pipe(onString, S.simulate({ steps: 5, inputs: ['a', 'ab', 'abcd', 'a'] }))).toHaveLength(2)
    const both = pipe(
      S.recurs(3),
      S.mapInput((n: number) => n),
      S.passthrough,
      S.promap(
        (s: string) => s.length,
        (n: number) => n * 2
      )
    )
    expect(outputsOf(both, { steps: 5, inputs: ['a', 'abc'] })).toEqual([2, 6])
  })

  it('a composition 1,000 levels deep steps to its end without a stack overflow', () => {
    for (const combine of [S.andThen, S.intersect, S.union] as const) {
      let left: S.Schedule<unknown, unknown> = S.recurs(1)
      let right: S.Schedule<unknown, unknown> = S.recurs(1)
      for (let i = 0; i < 1000; i++) {
        left = pipe(left, combine(S.recurs(1)))
        right = pipe(S.recurs(1), combine(right))
      }
      const expected = combine === S.andThen ? 1001 : 1
      expect(delaysOf(left, 2000)).toHaveLength(expected)
      expect(delaysOf(right, 2000)).toHaveLength(expected)
    }
  })

  it('map and as change only the output', () => {
    expect(
      pipe(
        S.recurs(2),
        S.map((n) => n * 10),
        S.simulate({ steps: 5 })
      ).map((s) => [s.delay, s.output])
    ).toEqual([
      [0, 0],
      [0, 10]
    ])
    expect(pipe(S.recurs(2), S.as('x'), S.simulate({ steps: 5 })).map((s) => s.output)).toEqual(['x', 'x'])
  })

  it('tapInput sees every input, tapOutput every output', () => {
    const inputs: Array<string> = []
    const outputs: Array<number> = []
    const policy = pipe(
      S.recurs(2),
      S.tapInput((e: string) => () => {
        inputs.push(e)
      }),
      S.tapOutput((n) => () => {
        outputs.push(n)
      })
    )
    expect(pipe(policy, S.simulate({ steps: 10, inputs: ['a', 'b', 'c', 'd'] }))).toHaveLength(2)
    expect(inputs).toEqual(['a', 'b', 'c'])
    expect(outputs).toEqual([0, 1])
  })

  it('delays outputs the delay, elapsed the time since the first attempt', () => {
    expect(pipe(S.exponential(10), S.capDelay(25), S.delays, S.simulate({ steps: 3 })).map((s) => s.output)).toEqual([
      10, 20, 25
    ])
    expect(delaysOf(pipe(S.stop, S.delays), 3)).toEqual([])
    expect(
      pipe(S.constant(100), S.elapsed, S.simulate({ steps: 3, attemptDuration: 10, start: 1000 })).map((s) => s.output)
    ).toEqual([10, 120, 230])
    expect(delaysOf(pipe(S.stop, S.elapsed), 3)).toEqual([])
  })
})

describe('simulate', () => {
  it('reports attempt, delay, output and the elapsed time at the decision', () => {
    expect(pipe(S.exponential(100), S.maxRetries(3), S.simulate({ steps: 10, attemptDuration: 50 }))).toEqual([
      { attempt: 1, delay: 100, output: 100, elapsed: 50 },
      { attempt: 2, delay: 200, output: 200, elapsed: 200 },
      { attempt: 3, delay: 400, output: 400, elapsed: 450 }
    ])
  })

  it('draws from the random source it is given instead of the seed', () => {
    const policy = pipe(S.constant(1000), S.fullJitter)
    expect(pipe(policy, S.simulate({ steps: 3, random: () => 0.5 })).map((s) => s.delay)).toEqual([500, 500, 500])
    expect(pipe(policy, S.simulate({ steps: 1, seed: 7, random: () => 0 })).map((s) => s.delay)).toEqual([0])
    expect(() => S.simulate({ steps: 1, random: 42 as never })).toThrow(
      new TypeError('Schedule.simulate: random must be a function, got 42')
    )
  })

  it('ends when the inputs run out', () => {
    expect(pipe(S.forever, S.simulate({ steps: 10, inputs: [1, 2] }))).toHaveLength(2)
    expect(pipe(S.forever, S.simulate({ steps: 1, inputs: [1, 2] }))).toHaveLength(1)
  })

  it('starts from the given time', () => {
    let seen: ReadonlyArray<number> = []
    const probe = S.make(0, (_: unknown, context, n: number) => {
      seen = [context.now, context.start]
      return S.continueAfter(0, n, n)
    })
    pipe(probe, S.simulate({ steps: 1, start: 500, attemptDuration: 5 }))
    expect(seen).toEqual([505, 500])
  })

  it('validates its options', () => {
    expect(() => S.simulate({ steps: -1 })).toThrow(/Schedule.simulate: steps/)
    expect(() => S.simulate({ steps: 1.5 })).toThrow(/Schedule.simulate: steps/)
    expect(() => S.simulate({ steps: 1, seed: 0.5 })).toThrow(/Schedule.simulate: seed/)
    expect(() => S.simulate({ steps: 1, start: NaN })).toThrow(/Schedule.simulate: start/)
    expect(() => S.simulate({ steps: 1, attemptDuration: -1 })).toThrow(/Schedule.simulate: attemptDuration/)
    expect(() => S.simulate({ steps: 1, start: Symbol('x') as never })).toThrow(
      new TypeError('Schedule.simulate: start must be a finite number, got symbol')
    )
    expect(() => S.simulate({ steps: 1, seed: Symbol('x') as never })).toThrow(TypeError)
  })
})

describe('saturation', () => {
  it('the 2,000th delay of exponential(1) is finite and at most MAX_SAFE_INTEGER', () => {
    const delays = delaysOf(S.exponential(1), 2000)
    expect(delays).toHaveLength(2000)
    expect(Number.isFinite(delays[1999])).toBe(true)
    expect(delays[1999]).toBe(MAX)
  })

  it('fibonacci, linear and huge factors saturate too', () => {
    expect(delaysOf(S.fibonacci(1), 5000)[4999]).toBe(MAX)
    expect(delaysOf(S.linear(MAX), 3)).toEqual([MAX, MAX, MAX])
    expect(delaysOf(S.exponential(1e300, 1e300), 3)).toEqual([MAX, MAX, MAX])
    expect(delaysOf(pipe(S.constant(MAX), S.jitteredWith({ min: 1e10, max: 1e10 })), 1)).toEqual([MAX])
    expect(delaysOf(pipe(S.constant(MAX), S.addJitter(MAX)), 1)).toEqual([MAX])
  })
})

describe('validation', () => {
  const badDurations: ReadonlyArray<number> = [-1, NaN, Infinity, -Infinity]
  const cases: ReadonlyArray<[string, (d: number) => unknown, string]> = [
    ['Schedule.constant', (d) => S.constant(d), 'delay'],
    ['Schedule.spaced', (d) => S.spaced(d), 'delay'],
    ['Schedule.exponential', (d) => S.exponential(d), 'base'],
    ['Schedule.fibonacci', (d) => S.fibonacci(d), 'one'],
    ['Schedule.linear', (d) => S.linear(d), 'base'],
    ['Schedule.fromDelays', (d) => S.fromDelays(1, d), 'delays[1]'],
    ['Schedule.decorrelatedJitter', (d) => S.decorrelatedJitter({ base: d, cap: 10 }), 'base'],
    ['Schedule.decorrelatedJitter', (d) => S.decorrelatedJitter({ base: 1, cap: d }), 'cap'],
    ['Schedule.fixed', (d) => S.fixed(d), 'interval'],
    ['Schedule.capDelay', (d) => S.capDelay(d), 'max'],
    ['Schedule.minDelay', (d) => S.minDelay(d), 'min'],
    ['Schedule.addJitter', (d) => S.addJitter(d), 'max'],
    ['Schedule.addJitter', (d) => S.addJitter([d, 10]), 'min'],
    ['Schedule.addJitter', (d) => S.addJitter([0, d]), 'max'],
    ['Schedule.maxElapsed', (d) => S.maxElapsed(d), 'ms'],
    ['Schedule.maxCumulativeDelay', (d) => S.maxCumulativeDelay(d), 'ms'],
    ['Schedule.jitteredWith', (d) => S.jitteredWith({ min: d, max: 10 }), 'min'],
    ['Schedule.jitteredWith', (d) => S.jitteredWith({ min: 0, max: d }), 'max']
  ]

  it.each(cases)('%s throws a RangeError naming %s for negative, NaN and infinite values', (fn, build, arg) => {
    for (const bad of badDurations) {
      expect(() => build(bad)).toThrow(RangeError)
      expect(() => build(bad)).toThrow(`${fn}: ${arg} must be`)
    }
  })

  it('a value of the wrong type is a TypeError naming the function and the argument, when called', () => {
    expect(() => S.intersect(null as never)).toThrow(
      new TypeError('Schedule.intersect: that must be a Schedule, got null')
    )
    expect(() => S.union(42 as never)).toThrow(new TypeError('Schedule.union: that must be a Schedule, got 42'))
    expect(() => S.andThen({} as never)).toThrow(new TypeError('Schedule.andThen: that must be a Schedule, got object'))
    expect(() => S.map(42 as never)).toThrow(new TypeError('Schedule.map: f must be a function, got 42'))
    expect(() => S.tapInput(42 as never)).toThrow(new TypeError('Schedule.tapInput: f must be a function, got 42'))
    expect(() => S.mapInput('x' as never)).toThrow(TypeError)
    expect(() => S.promap((x: number) => x, null as never)).toThrow(/Schedule.promap: g must be a function/)
    expect(() => S.resetWhen(undefined as never)).toThrow(/Schedule.resetWhen: predicate must be a function/)
    expect(() => S.resetAfter(-1)).toThrow(
      new RangeError('Schedule.resetAfter: ms must be a finite non-negative number of milliseconds, got -1')
    )
    expect(() => S.windowed(NaN)).toThrow(RangeError)
  })

  it.each([
    ['jittered', S.jittered],
    ['fullJitter', S.fullJitter],
    ['capDelay', S.capDelay(5)],
    ['maxRetries', S.maxRetries(5)],
    ['maxElapsed', S.maxElapsed(5)],
    ['whileInput', S.whileInput(() => true)],
    ['map', S.map((x: unknown) => x)],
    ['delays', S.delays],
    ['elapsed', S.elapsed],
    ['passthrough', S.passthrough],
    ['resetAfter', S.resetAfter(5)],
    ['intersect', S.intersect(S.forever)],
    ['union', S.union(S.forever)],
    ['andThen', S.andThen(S.forever)]
  ] as ReadonlyArray<[string, (self: never) => unknown]>)(
    'Schedule.%s applied to something else than a schedule is a TypeError naming it',
    (name, modifier) => {
      expect(() => modifier(42 as never)).toThrow(new TypeError(`Schedule.${name}: self must be a Schedule, got 42`))
      expect(() => modifier({ step: 1 } as never)).toThrow(TypeError)
    }
  )

  it('the message shows the value it was given', () => {
    expect(() => S.capDelay(-5)).toThrow(
      new RangeError('Schedule.capDelay: max must be a finite non-negative number of milliseconds, got -5')
    )
    expect(() => S.constant('5' as unknown as number)).toThrow(/got string 5/)
    // a value without a string form is described by its type
    expect(() => S.constant(Object.create(null))).toThrow(
      new TypeError('Schedule.constant: delay must be a finite non-negative number of milliseconds, got object')
    )
  })

  it('factors below 1 are rejected', () => {
    for (const bad of [0.5, 0, -2, NaN, Infinity]) {
      expect(() => S.exponential(100, bad)).toThrow(/Schedule.exponential: factor must be a finite number >= 1/)
    }
  })

  it('non-integer and negative counts are rejected', () => {
    for (const bad of [1.5, -1, NaN, Infinity]) {
      expect(() => S.recurs(bad)).toThrow(/Schedule.recurs: n must be a non-negative integer/)
      expect(() => S.maxRetries(bad)).toThrow(/Schedule.maxRetries: n must be a non-negative integer/)
    }
  })

  it('ranges with min above max are rejected', () => {
    expect(() => S.jitteredWith({ min: 2, max: 1 })).toThrow(/Schedule.jitteredWith: min must not exceed max/)
    expect(() => S.addJitter([20, 10])).toThrow(/Schedule.addJitter: min must not exceed max/)
    expect(() => S.addJitter('x' as never)).toThrow(/Schedule.addJitter/)
    expect(() => S.decorrelatedJitter({ base: 100, cap: 50 })).toThrow(
      /Schedule.decorrelatedJitter: cap must be at least base/
    )
  })

  it('functions must be functions', () => {
    const notAFunction = 42 as never
    expect(() => S.addDelay(notAFunction)).toThrow(/Schedule.addDelay: f must be a function/)
    expect(() => S.modifyDelay(notAFunction)).toThrow(/Schedule.modifyDelay: f must be a function/)
    expect(() => S.withDelayHint(notAFunction)).toThrow(/Schedule.withDelayHint: hint must be a function/)
    expect(() => S.whileInput(notAFunction)).toThrow(/Schedule.whileInput: predicate must be a function/)
    expect(() => S.untilInput(notAFunction)).toThrow(/Schedule.untilInput: predicate must be a function/)
    expect(() => S.whileOutput(notAFunction)).toThrow(/Schedule.whileOutput: predicate must be a function/)
    expect(() => S.untilOutput(notAFunction)).toThrow(/Schedule.untilOutput: predicate must be a function/)
    expect(() => S.tapInput(notAFunction)).toThrow(/Schedule.tapInput: f must be a function/)
    expect(() => S.tapOutput(notAFunction)).toThrow(/Schedule.tapOutput: f must be a function/)
  })

  it('validation happens when the function is called, before it is applied', () => {
    expect(() => S.capDelay(-5)).toThrow(RangeError)
    expect(() => pipe(S.forever, S.capDelay(-5))).toThrow(RangeError)
  })
})

// -------------------------------------------------------------------------------------
// properties over randomly composed schedules
// -------------------------------------------------------------------------------------

const run = fc.record({
  seed: fc.integer(),
  attemptDuration: fc.integer({ min: 0, max: 1000 }),
  inputs: fc.array(fc.nat({ max: 100 }), { minLength: 30, maxLength: 30 })
})

const decisions = (
  s: S.Schedule<number, unknown>,
  r: { seed: number; attemptDuration: number; inputs: Array<number> }
) => pipe(s, S.simulate({ steps: 30, ...r })).map((x) => x.delay)

describe('properties', () => {
  it('run over random schedules made with every export that makes or changes one, with valid arguments', () => {
    // what is not a schedule, or not one a recipe calls directly (the monoids are the recipes' intersectAll and unionAll)
    const others = ['Functor', 'Profunctor', 'URI', 'continueAfter', 'done', 'isDone', 'nthDelay', 'parseRetryAfter']
    const monoids: Record<string, string> = { intersectAll: 'getIntersectMonoid', unionAll: 'getUnionMonoid' }
    const called = recipeTags.map((tag) => monoids[tag] ?? tag)
    expect([...called, ...others, 'simulate'].sort()).toEqual(Object.keys(S).sort())
    const seen = new Set<string>()
    for (const x of fc.sample(validRecipe, { seed: 1, numRuns: 2000 })) {
      expect(isValid(x)).toBe(true)
      expect(() => build(x)).not.toThrow()
      for (const tag of tagsOf(x)) seen.add(tag)
    }
    expect([...seen].sort()).toEqual([...recipeTags].sort())
  })

  it('no delay is ever negative, NaN or above MAX_SAFE_INTEGER', () => {
    fc.assert(
      fc.property(validRecipe, run, (x, r) => {
        for (const d of decisions(build(x), r)) {
          expect(Number.isFinite(d) && d >= 0 && d <= MAX).toBe(true)
        }
      }),
      { numRuns: 500 }
    )
  })

  it('capDelay(m) as the last modifier bounds every delay by m', () => {
    fc.assert(
      fc.property(validRecipe, duration, run, (x, m, r) => {
        for (const d of decisions(pipe(build(x), S.capDelay(m)), r)) {
          expect(d).toBeLessThanOrEqual(m)
        }
      }),
      { numRuns: 300 }
    )
  })

  it('intersect delays are the max, union delays the min of their sides (deterministic sides)', () => {
    // compare with sides that do not depend on time or randomness, so each side can be run alone
    const deterministic = fc.array(duration, { maxLength: 10 }).map((ds) => S.fromDelays(...ds))
    fc.assert(
      fc.property(deterministic, deterministic, (a, b) => {
        const da = delaysOf(a, 30)
        const db = delaysOf(b, 30)
        const both = delaysOf(pipe(a, S.intersect(b)), 30)
        expect(both).toEqual(da.slice(0, Math.min(da.length, db.length)).map((d, i) => Math.max(d, db[i])))
        const either = delaysOf(pipe(a, S.union(b)), 30)
        const n = Math.max(da.length, db.length)
        expect(either).toEqual(
          Array.from({ length: n }, (_, i) =>
            i >= da.length ? db[i] : i >= db.length ? da[i] : Math.min(da[i], db[i])
          )
        )
      })
    )
  })

  it('intersect and union of any schedules are bounded by their sides at every step', () => {
    fc.assert(
      fc.property(validRecipe, validRecipe, fc.integer(), (x, y, seed) => {
        const a = build(x)
        const b = build(y)
        // step all three side by side with the same context
        const ctx = (now: number): S.StepContext => ({ now, start: 0, random: () => 0.5 })
        let sa = a.initial
        let sb = b.initial
        let si = pipe(a, S.intersect(b)).initial
        let su = pipe(a, S.union(b)).initial
        let aDone = false
        let bDone = false
        const inter = pipe(a, S.intersect(b))
        const uni = pipe(a, S.union(b))
        let interDone = false
        for (let i = 0; i < 20; i++) {
          const c = ctx(i * 10 + (seed % 7))
          const ra = aDone ? S.done : a.step(i, c, sa)
          const rb = bDone ? S.done : b.step(i, c, sb)
          const ri = interDone ? S.done : inter.step(i, c, si)
          const ru = uni.step(i, c, su)
          if (!interDone) {
            if (ra._tag === 'Done' || rb._tag === 'Done') {
              expect(ri._tag).toBe('Done')
              interDone = true
            } else {
              expect(ri._tag).toBe('Continue')
              if (ri._tag === 'Continue') {
                expect(ri.delay).toBe(Math.max(ra.delay, rb.delay))
                si = ri.state
              }
            }
          }
          if (ra._tag === 'Done' && rb._tag === 'Done') {
            expect(ru._tag).toBe('Done')
            break
          }
          expect(ru._tag).toBe('Continue')
          if (ru._tag === 'Continue') {
            const live = [ra, rb].flatMap((r) => (r._tag === 'Continue' ? [r.delay] : []))
            expect(ru.delay).toBe(Math.min(...live))
            su = ru.state
          }
          if (ra._tag === 'Continue') sa = ra.state
          else aDone = true
          if (rb._tag === 'Continue') sb = rb.state
          else bDone = true
        }
      }),
      { numRuns: 300 }
    )
  })

  const monoidLaws = (name: string, M: ReturnType<typeof S.getIntersectMonoid<number>>) => {
    it(`${name} monoid is associative on decisions`, () => {
      fc.assert(
        fc.property(validRecipe, validRecipe, validRecipe, run, (a, b, c, r) => {
          const [x, y, z] = [build(a), build(b), build(c)]
          expect(decisions(M.concat(M.concat(x, y), z), r)).toEqual(decisions(M.concat(x, M.concat(y, z)), r))
        }),
        { numRuns: 200 }
      )
    })
    it(`${name} monoid has its identity on decisions`, () => {
      fc.assert(
        fc.property(validRecipe, run, (a, r) => {
          const x = build(a)
          expect(decisions(M.concat(x, M.empty), r)).toEqual(decisions(x, r))
          expect(decisions(M.concat(M.empty, x), r)).toEqual(decisions(x, r))
        }),
        { numRuns: 200 }
      )
    })
  }
  monoidLaws('intersect', S.getIntersectMonoid<number>())
  monoidLaws('union', S.getUnionMonoid<number>())
  monoidLaws('andThen', { concat: (x, y) => pipe(x, S.andThen(y)), empty: S.stop })

  // the outputs of a run, for the laws that hold on outputs too
  const outputs = (
    s: S.Schedule<number, unknown>,
    r: { seed: number; attemptDuration: number; inputs: Array<number> }
  ) => pipe(s, S.simulate({ steps: 30, ...r })).map((x) => [x.delay, x.output])

  const f = (n: number) => (n * 7 + 3) % 101
  const g = (u: unknown) => JSON.stringify(u) ?? 'undefined'
  const h = (text: string) => text.length

  it('Functor laws: identity and composition, on delays and outputs', () => {
    fc.assert(
      fc.property(validRecipe, run, (a, r) => {
        const x = build(a)
        expect(
          outputs(
            S.Functor.map(x, (a) => a),
            r
          )
        ).toEqual(outputs(x, r))
        expect(
          outputs(
            S.Functor.map(x, (a) => h(g(a))),
            r
          )
        ).toEqual(outputs(S.Functor.map(S.Functor.map(x, g), h), r))
      }),
      { numRuns: 200 }
    )
  })

  it('Profunctor laws: identity and composition, on delays and outputs', () => {
    fc.assert(
      fc.property(validRecipe, run, (a, r) => {
        const x = build(a)
        expect(
          outputs(
            S.Profunctor.promap(
              x,
              (i: number) => i,
              (a) => a
            ),
            r
          )
        ).toEqual(outputs(x, r))
        // promap(promap(x, f1, g1), f2, g2) = promap(x, f1 . f2, g2 . g1)
        const twice = S.Profunctor.promap(S.Profunctor.promap(x, f, g), f, h)
        const once = S.Profunctor.promap(
          x,
          (i: number) => f(f(i)),
          (a) => h(g(a))
        )
        expect(outputs(twice, r)).toEqual(outputs(once, r))
        // map is promap with the identity on the input
        expect(outputs(S.Profunctor.map(x, g), r)).toEqual(
          outputs(
            S.Profunctor.promap(x, (i: number) => i, g),
            r
          )
        )
      }),
      { numRuns: 200 }
    )
  })
})

const countValues = (u: unknown): number =>
  u !== null && typeof u === 'object' ? Object.values(u).reduce((n: number, v) => n + countValues(v), 0) : 1

describe('cost per step', () => {
  it('keeps constant-size state: a composed schedule stepped 100,000 times holds no history', () => {
    const policy = pipe(
      S.exponential(1),
      S.jittered,
      S.capDelay(1000),
      S.union(S.fibonacci(2)),
      S.intersect(S.forever),
      S.maxRetries(1_000_000),
      S.maxCumulativeDelay(MAX),
      S.andThen(S.forever)
    )
    const random = () => 0.5
    const sizeAfter = (n: number): number => {
      let state = policy.initial
      for (let i = 0; i < n; i++) {
        const step = policy.step(undefined, { now: i, start: 0, random }, state)
        if (step._tag === 'Done') throw new Error('unexpected end')
        state = step.state
      }
      return countValues(state)
    }
    // the state holds as many values after 100,000 steps as after 10: no list grows with the step count
    expect(sizeAfter(100_000)).toBe(sizeAfter(10))
  })
})

describe('types', () => {
  it('keeps input and output types through pipe', () => {
    interface HttpError {
      readonly status: number
    }
    const policy = pipe(
      S.exponential(100),
      S.jittered,
      S.whileInput((e: HttpError) => e.status >= 500),
      S.capDelay(5000),
      S.maxRetries(5)
    )
    expectTypeOf(policy).toEqualTypeOf<S.Schedule<HttpError, number>>()
    expectTypeOf(pipe(S.exponential(1), S.intersect(S.recurs(1)))).toEqualTypeOf<
      S.Schedule<unknown, readonly [number, number]>
    >()
    expectTypeOf(pipe(S.exponential(1), S.union(S.recurs(1)))).toEqualTypeOf<
      S.Schedule<unknown, readonly [number | undefined, number | undefined]>
    >()
    expectTypeOf(pipe(S.exponential(1), S.andThen(S.as('x')(S.recurs(1))))).toEqualTypeOf<
      S.Schedule<unknown, string | number>
    >()
    // a predicate on a wider input applies to a schedule of a narrower one
    const narrow = piped(S.forever)(S.whileInput((e: HttpError & { readonly url: string }) => e.url !== ''))
    expectTypeOf(piped(narrow)(S.whileInput((e: HttpError) => e.status > 0))).toEqualTypeOf<
      S.Schedule<HttpError & { readonly url: string }, number>
    >()
  })
})

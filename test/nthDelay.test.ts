import * as fc from 'fast-check'
import { pipe } from 'fp-ts/function'
import * as O from 'fp-ts/Option'
import { describe, expect, it } from 'vitest'
import { fnv1a, seeded } from '../src/internal/random'
import * as S from '../src/Schedule'
import { piped } from './helpers'

const MAX = Number.MAX_SAFE_INTEGER

// -------------------------------------------------------------------------------------
// the seeding is part of the contract: these values must never change
// -------------------------------------------------------------------------------------

describe('the seeding (pinned: a change here moves every durable backoff in flight)', () => {
  it("fnv1a matches FNV-1a's published 32-bit test vectors", () => {
    expect(fnv1a('')).toBe(0x811c9dc5)
    expect(fnv1a('a')).toBe(0xe40c292c)
    expect(fnv1a('b')).toBe(0xe70c2de5)
    expect(fnv1a('foobar')).toBe(0xbf9cf968)
  })

  it('fnv1a hashes the UTF-8 bytes of a string, a lone surrogate as U+FFFD', () => {
    expect(fnv1a('é')).toBe(0x1e9de8c1) // c3 a9
    expect(fnv1a('日本')).toBe(0x9f26ee51) // e6 97 a5 e6 9c ac
    expect(fnv1a('😀')).toBe(0x33a29608) // f0 9f 98 80, one code point from two UTF-16 units
    expect(fnv1a('\ud800')).toBe(fnv1a('\ufffd'))
    expect(fnv1a('job-42')).toBe(0xd5178945)
  })

  it('splitmix32 gives the same sequence for seed 0 as ever', () => {
    const random = seeded(0)
    expect([random(), random(), random(), random()].map((x) => x * 2 ** 32)).toEqual([
      2462723854, 1020716019, 454327756, 1275600319
    ])
  })

  it("nthDelay of a jittered schedule for a job's id gives the same delays as ever", () => {
    const policy = pipe(S.exponential(100), S.jittered)
    const delays = (seed: string) => [1, 2, 3, 4].map((n) => pipe(policy, S.nthDelay(n, { seed })))
    expect(delays('job-42')).toEqual([
      O.some(117.69220650196075),
      O.some(171.17281118407845),
      O.some(442.485226392746),
      O.some(812.1035609394312)
    ])
    expect(delays('1')).toEqual([
      O.some(117.05529114231467),
      O.some(222.1539101563394),
      O.some(440.06966106593615),
      O.some(841.3817925006151)
    ])
  })

  it('a string seed is its hash: the number with the same value gives the same delays', () => {
    const policy = pipe(S.exponential(100), S.fullJitter)
    for (const n of [1, 2, 3]) {
      expect(pipe(policy, S.nthDelay(n, { seed: 'job-42' }))).toEqual(pipe(policy, S.nthDelay(n, { seed: 0xd5178945 })))
    }
    // '5' is hashed, so it is not the seed 5
    expect(pipe(policy, S.nthDelay(1, { seed: '5' }))).not.toEqual(pipe(policy, S.nthDelay(1, { seed: 5 })))
  })

  it('the default seed is 0, as for simulate', () => {
    const policy = pipe(S.constant(1000), S.fullJitter)
    expect(pipe(policy, S.nthDelay(1))).toEqual(O.some((2462723854 / 2 ** 32) * 1000))
    expect(pipe(policy, S.nthDelay(2))).toEqual(pipe(policy, S.nthDelay(2, { seed: 0 })))
  })
})

// -------------------------------------------------------------------------------------
// agreement with simulate
// -------------------------------------------------------------------------------------

const duration = fc.oneof(
  fc.integer({ min: 0, max: 10_000 }),
  fc.double({ min: 0, max: 1e6, noNaN: true }),
  fc.constantFrom(0, MAX, 2 ** 31)
)
type Arb = fc.Arbitrary<S.Schedule<number, unknown>>

const leaf: Arb = fc.oneof(
  fc.constant(S.forever),
  fc.nat({ max: 20 }).map(S.recurs),
  duration.map(S.constant),
  fc.tuple(duration, fc.double({ min: 1, max: 10, noNaN: true })).map(([b, f]) => S.exponential(b, f)),
  duration.map(S.fibonacci),
  fc.array(duration, { maxLength: 8 }).map((ds) => S.fromDelays(...ds)),
  fc.tuple(duration, duration).map(([a, b]) => S.decorrelatedJitter({ base: Math.min(a, b), cap: Math.max(a, b) })),
  duration.map(S.fixed)
)

type Modifier = (s: S.Schedule<number, unknown>) => S.Schedule<number, unknown>
const modifier: fc.Arbitrary<Modifier> = fc.oneof(
  fc.constant<Modifier>(S.jittered),
  fc.constant<Modifier>(S.fullJitter),
  fc.constant<Modifier>(S.equalJitter),
  duration.map((d): Modifier => S.addJitter(d)),
  duration.map((d): Modifier => S.capDelay(d)),
  fc.nat({ max: 20 }).map((n): Modifier => S.maxRetries(n)),
  duration.map((d): Modifier => S.maxElapsed(d)),
  duration.map((d): Modifier => S.maxCumulativeDelay(d)),
  fc.nat({ max: 100 }).map((n): Modifier => S.whileInput((i: number) => i < n))
)

const schedule: Arb = fc.letrec<{ schedule: S.Schedule<number, unknown> }>((tie) => ({
  schedule: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.tuple(tie('schedule'), modifier).map(([s, m]) => m(s)),
    fc.tuple(tie('schedule'), tie('schedule')).map(([a, b]) => pipe(a, S.intersect(b))),
    fc.tuple(tie('schedule'), tie('schedule')).map(([a, b]) => pipe(a, S.union(b))),
    fc.tuple(tie('schedule'), tie('schedule')).map(([a, b]) => pipe(a, S.andThen(b)))
  )
})).schedule

const STEPS = 12

describe('agreement with simulate', () => {
  it('nthDelay(n) is the n-th delay simulate reports for the same seed, input and start, and none past its end', () => {
    fc.assert(
      fc.property(
        schedule,
        fc.integer(),
        fc.nat({ max: 100 }),
        fc.integer({ min: -1e12, max: 1e12 }),
        (s, seed, input, start) => {
          const timeline = pipe(s, S.simulate({ steps: STEPS, seed, start, inputs: Array(STEPS).fill(input) }))
          for (let n = 1; n <= STEPS; n++) {
            const expected = n <= timeline.length ? O.some(timeline[n - 1].delay) : O.none
            expect(pipe(s, S.nthDelay(n, { seed, input, start }))).toEqual(expected)
          }
        }
      ),
      { numRuns: 300 }
    )
  })

  it('a string seed replays what simulate does with a source seeded by its FNV-1a hash', () => {
    fc.assert(
      fc.property(schedule, fc.string({ unit: 'grapheme' }), fc.nat({ max: 100 }), (s, seed, input) => {
        const timeline = pipe(
          s,
          S.simulate({ steps: STEPS, random: seeded(fnv1a(seed)), inputs: Array(STEPS).fill(input) })
        )
        for (let n = 1; n <= timeline.length; n++) {
          expect(pipe(s, S.nthDelay(n, { seed, input }))).toEqual(O.some(timeline[n - 1].delay))
        }
      }),
      { numRuns: 200 }
    )
  })

  it('the same arguments give the same delay, however often the replay runs', () => {
    const policy = pipe(S.decorrelatedJitter({ base: 10, cap: 10_000 }), S.maxRetries(8))
    const replay = S.nthDelay(6, { seed: 'job-7' })
    const first = replay(policy)
    expect(O.isSome(first)).toBe(true)
    expect(replay(policy)).toEqual(first)
    expect(pipe(policy, S.nthDelay(6, { seed: 'job-7' }))).toEqual(first)
    expect(pipe(policy, S.nthDelay(6, { seed: 'job-8' }))).not.toEqual(first)
  })
})

// -------------------------------------------------------------------------------------
// what the replayed steps see
// -------------------------------------------------------------------------------------

interface Seen {
  readonly input: unknown
  readonly now: number
  readonly start: number
}

/** A schedule that records what each step sees and waits 100, 200, 300, ... ms. */
const recording = (seen: Array<Seen>): S.Schedule<unknown, number> =>
  S.make(1, (input: unknown, { now, start }, k: number) => {
    seen.push({ input, now, start })
    return S.continueAfter(100 * k, k, k + 1)
  })

describe('what the replayed steps see', () => {
  it('every step sees the input; the time starts at start and advances by the replayed delays', () => {
    const seen: Array<Seen> = []
    expect(pipe(recording(seen), S.nthDelay(3, { input: 'boom', start: 1000 }))).toEqual(O.some(300))
    expect(seen).toEqual([
      { input: 'boom', now: 1000, start: 1000 },
      { input: 'boom', now: 1100, start: 1000 },
      { input: 'boom', now: 1300, start: 1000 }
    ])
  })

  it('only the last step sees now', () => {
    const seen: Array<Seen> = []
    pipe(recording(seen), S.nthDelay(3, { start: 1000, now: 5000 }))
    expect(seen.map((s) => s.now)).toEqual([1000, 1100, 5000])
    seen.length = 0
    pipe(recording(seen), S.nthDelay(1, { start: 1000, now: 5000 }))
    expect(seen.map((s) => s.now)).toEqual([5000])
  })

  it('without options the input is undefined and the time starts at 0', () => {
    const seen: Array<Seen> = []
    pipe(recording(seen), S.nthDelay(2))
    expect(seen).toEqual([
      { input: undefined, now: 0, start: 0 },
      { input: undefined, now: 100, start: 0 }
    ])
  })

  it('maxElapsed counts from start, and the last step decides with now', () => {
    const policy = pipe(S.constant(100), S.maxElapsed(250))
    // replayed times: 1000, 1100, 1200; at 1200, 200 + 100 would pass 250
    expect(pipe(policy, S.nthDelay(2, { start: 1000 }))).toEqual(O.some(100))
    expect(pipe(policy, S.nthDelay(3, { start: 1000 }))).toEqual(O.none)
    // the second failure happened later than the replay assumes (attempts take time)
    expect(pipe(policy, S.nthDelay(2, { start: 1000, now: 1150 }))).toEqual(O.some(100))
    expect(pipe(policy, S.nthDelay(2, { start: 1000, now: 1151 }))).toEqual(O.none)
    // the first decision too
    expect(pipe(policy, S.nthDelay(1, { start: 1000, now: 1150 }))).toEqual(O.some(100))
    expect(pipe(policy, S.nthDelay(1, { start: 1000, now: 1151 }))).toEqual(O.none)
  })

  it('a now before start (clocks of two machines) is taken as it is', () => {
    expect(pipe(S.constant(100), S.maxElapsed(250), S.nthDelay(1, { start: 1000, now: 900 }))).toEqual(O.some(100))
  })

  it("fixed's grid is anchored at start and the last step reads now", () => {
    // the first decision at 0 aims at 1000; the second, at 1300, waits for 2000
    expect(pipe(S.fixed(1000), S.nthDelay(2, { now: 1300 }))).toEqual(O.some(700))
    expect(pipe(S.fixed(1000), S.nthDelay(2, { start: 500, now: 1800 }))).toEqual(O.some(700))
  })

  it('whileInput sees the input at every step: a fatal input ends the schedule at the first', () => {
    const policy = piped(S.constant(100))(S.whileInput((e: Error | undefined) => e?.message !== 'fatal'))
    expect(pipe(policy, S.nthDelay(3, { input: new Error('timeout') }))).toEqual(O.some(100))
    expect(pipe(policy, S.nthDelay(3, { input: new Error('fatal') }))).toEqual(O.none)
    expect(pipe(policy, S.nthDelay(1, { input: undefined }))).toEqual(O.some(100))
  })

  it('the delay is clamped like every other: a hand-written step cannot return NaN or Infinity', () => {
    const raw = (delay: unknown): S.Schedule<unknown, null> => ({
      initial: null,
      step: () => ({ _tag: 'Continue', delay: delay as number, output: null, state: null })
    })
    expect(pipe(raw(NaN), S.nthDelay(1))).toEqual(O.some(0))
    expect(pipe(raw(-5), S.nthDelay(2))).toEqual(O.some(0))
    expect(pipe(raw('7'), S.nthDelay(1))).toEqual(O.some(0))
    expect(pipe(raw(Infinity), S.nthDelay(1))).toEqual(O.some(MAX))
    // and the replayed time advances by the clamped delays
    const seen: Array<Seen> = []
    const huge: S.Schedule<unknown, null> = {
      initial: null,
      step: (input, context) => {
        seen.push({ input, now: context.now, start: context.start })
        return { _tag: 'Continue', delay: Infinity, output: null, state: null }
      }
    }
    pipe(huge, S.nthDelay(2))
    expect(seen.map((s) => s.now)).toEqual([0, MAX])
  })

  it('a schedule that is done gives none at every n past its end', () => {
    expect([1, 2, 3, 4].map((n) => pipe(S.fromDelays(10, 20), S.nthDelay(n)))).toEqual([
      O.some(10),
      O.some(20),
      O.none,
      O.none
    ])
    expect(pipe(S.stop, S.nthDelay(1))).toEqual(O.none)
  })

  it('replays a long schedule without a stack overflow', () => {
    expect(pipe(S.forever, S.nthDelay(100_000))).toEqual(O.some(0))
  })
})

// -------------------------------------------------------------------------------------
// validation
// -------------------------------------------------------------------------------------

describe('validation, when nthDelay is called', () => {
  it('n must be an integer >= 1: a RangeError naming nthDelay otherwise', () => {
    expect(() => S.nthDelay(0)).toThrow(new RangeError('Schedule.nthDelay: n must be an integer >= 1, got 0'))
    expect(() => S.nthDelay(-3)).toThrow(new RangeError('Schedule.nthDelay: n must be an integer >= 1, got -3'))
    expect(() => S.nthDelay(1.5)).toThrow(new RangeError('Schedule.nthDelay: n must be an integer, got 1.5'))
    expect(() => S.nthDelay(NaN)).toThrow(RangeError)
    expect(() => S.nthDelay(Infinity)).toThrow(RangeError)
    expect(() => S.nthDelay(2 ** 53)).toThrow(RangeError)
    expect(() => S.nthDelay('2' as unknown as number)).toThrow(
      new TypeError('Schedule.nthDelay: n must be an integer, got string 2')
    )
  })

  it('options must be an object', () => {
    expect(() => S.nthDelay(1, null as never)).toThrow(
      new TypeError('Schedule.nthDelay: options must be an object, got null')
    )
    expect(() => S.nthDelay(1, 'seed' as never)).toThrow(
      new TypeError('Schedule.nthDelay: options must be an object, got string seed')
    )
  })

  it('seed must be an integer or a string', () => {
    expect(() => S.nthDelay(1, { seed: 1.5 })).toThrow(
      new RangeError('Schedule.nthDelay: seed must be an integer, got 1.5')
    )
    expect(() => S.nthDelay(1, { seed: NaN })).toThrow(RangeError)
    expect(() => S.nthDelay(1, { seed: {} as never })).toThrow(
      new TypeError('Schedule.nthDelay: seed must be an integer or a string, got object')
    )
    expect(() => S.nthDelay(1, { seed: null as never })).toThrow(
      new TypeError('Schedule.nthDelay: seed must be an integer or a string, got null')
    )
    expect(() => S.nthDelay(1, { seed: true as never })).toThrow(TypeError)
    expect(() => S.nthDelay(1, { seed: -7 })).not.toThrow()
  })

  it('start and now must be finite numbers', () => {
    expect(() => S.nthDelay(1, { start: NaN })).toThrow(
      new RangeError('Schedule.nthDelay: start must be a finite number, got NaN')
    )
    expect(() => S.nthDelay(1, { start: '0' as never })).toThrow(
      new TypeError('Schedule.nthDelay: start must be a finite number, got string 0')
    )
    expect(() => S.nthDelay(1, { now: Infinity })).toThrow(
      new RangeError('Schedule.nthDelay: now must be a finite number, got Infinity')
    )
    expect(() => S.nthDelay(1, { now: null as never })).toThrow(TypeError)
    expect(() => S.nthDelay(1, { start: -5, now: -1 })).not.toThrow()
  })

  it('the schedule must be a schedule', () => {
    const replay = S.nthDelay(1)
    expect(() => replay(null as never)).toThrow(new TypeError('Schedule.nthDelay: self must be a Schedule, got null'))
    expect(() => replay({ initial: 0 } as never)).toThrow(TypeError)
    expect(() => replay(42 as never)).toThrow(TypeError)
  })

  it('types: the input must be what the schedule is stepped with', () => {
    const onCodes: S.Schedule<number, number> = S.constant(10)
    // @ts-expect-error: a string is not a status code
    expect(() => pipe(onCodes, S.nthDelay(1, { input: 'x' }))).not.toThrow()
    expect(pipe(onCodes, S.nthDelay(1, { input: 503 }))).toEqual(O.some(10))
  })
})

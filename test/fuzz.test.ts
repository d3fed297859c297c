/**
 * Hostile input, fuzzed with fast-check (seeded, so every run tries the same inputs):
 *
 * - random schedules built from every constructor, modifier, limit and combinator with random and
 *   hostile arguments (NaN, ±0, ±Infinity, negatives, huge numbers, non-integers, non-numbers, empty
 *   and short arrays, user functions returning garbage): construction throws a `RangeError` that names
 *   the function exactly when the contract says an argument is invalid, and otherwise every delay
 *   of the schedule, simulated with random steps, inputs, seeds and attempt durations, is a finite
 *   non-negative number no larger than `Number.MAX_SAFE_INTEGER`;
 * - random JSON, random JavaScript values and near-miss policies against `Config.decode` and
 *   `Config.decodeGrpcRetryPolicy`: never a throw, only a `Left` (a `ConfigError` with problems)
 *   or a `Right` whose schedule simulates to valid delays.
 */
import * as fc from 'fast-check'
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import { describe, expect, it } from 'vitest'
import * as Config from '../src/Config'
import * as S from '../src/Schedule'
import {
  type Any,
  build,
  countHostile,
  hostileArguments,
  isCount,
  isDuration,
  isHostile,
  isValid,
  junk,
  names,
  num,
  numeric,
  recipe as arbitraryRecipe
} from './arbitraries'
import { piped } from './helpers'

const MAX = Number.MAX_SAFE_INTEGER

const recipe = arbitraryRecipe(hostileArguments)

/** Options of `simulate` that the contract accepts, with large values among them. */
const simulation = fc.record({
  steps: fc.integer({ min: 0, max: 300 }),
  inputs: fc.option(fc.array(fc.oneof(num, fc.anything({ maxDepth: 1 })), { maxLength: 300 }), { nil: undefined }),
  seed: fc.oneof(fc.integer(), fc.constantFrom(0, -1, MAX, -MAX)),
  start: fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(-0, 1e300)),
  attemptDuration: fc.oneof(
    fc.integer({ min: 0, max: 1000 }),
    fc.double({ min: 0, max: 1e300, noNaN: true }),
    fc.constantFrom(0, -0, MAX, 2 ** 31)
  )
})

/**
 * Checks that every delay is a finite, non-negative number no larger than `Number.MAX_SAFE_INTEGER`;
 * returns how many it checked.
 */
const checkDelays = (schedule: Any, options: S.SimulationOptions<unknown>): number => {
  const steps = pipe(schedule, S.simulate(options))
  expect(steps.length).toBeLessThanOrEqual(options.steps)
  for (const step of steps) {
    if (!(typeof step.delay === 'number' && Number.isFinite(step.delay) && step.delay >= 0 && step.delay <= MAX)) {
      throw new Error(`invalid delay ${String(step.delay)} at attempt ${step.attempt}`)
    }
  }
  return steps.length
}

const nameOf = (error: unknown): string | undefined =>
  error instanceof Error ? /^(Schedule\.\w+): /.exec(error.message)?.[1] : undefined

// -------------------------------------------------------------------------------------
// schedules
// -------------------------------------------------------------------------------------

describe('random schedules with hostile arguments', () => {
  it('either a RangeError or TypeError naming the function, exactly when an argument is invalid, or valid delays', () => {
    const counts = { schedules: 0, rejected: 0, hostileArguments: 0, simulations: 0, delays: 0 }
    fc.assert(
      fc.property(recipe, fc.array(simulation, { minLength: 1, maxLength: 3 }), (r, simulations) => {
        counts.schedules++
        counts.hostileArguments += countHostile(r)
        let schedule: Any
        try {
          schedule = build(r)
        } catch (error) {
          counts.rejected++
          // a number out of range is a RangeError, a value of another type a TypeError
          expect([RangeError, TypeError]).toContain((error as Error).constructor)
          expect(names(r)).toContain(nameOf(error))
          expect(isValid(r)).toBe(false)
          return
        }
        expect(isValid(r)).toBe(true)
        for (const options of simulations) {
          counts.simulations++
          counts.delays += checkDelays(schedule, options)
        }
      }),
      { seed: 8, numRuns: 4000 }
    )
    // every generated schedule was tried and judged, and the generator really is hostile: many built, many refused
    expect(counts.schedules).toBe(4000)
    expect(counts.rejected).toBeGreaterThan(1000)
    expect(counts.schedules - counts.rejected).toBeGreaterThan(1000)
    expect(counts.hostileArguments).toBeGreaterThan(5000)
    console.log(
      `fuzz: ${counts.schedules} random schedules (${counts.rejected} refused with a RangeError or TypeError), ` +
        `${counts.hostileArguments} hostile arguments, ${counts.simulations} simulations checking ${counts.delays} delays`
    )
  })

  it("simulate's own options: a RangeError or TypeError naming Schedule.simulate exactly when one is invalid", () => {
    // no Symbol here: simulate's messages interpolate the value, which throws a TypeError for a Symbol
    const option = fc.oneof(
      { weight: 12, arbitrary: numeric },
      { weight: 1, arbitrary: fc.constantFrom(...junk.filter((u) => typeof u !== 'symbol')) as fc.Arbitrary<number> }
    )
    const policy = pipe(S.exponential(10), S.jittered, S.maxElapsed(1e12))
    const counts = { options: 0, hostileArguments: 0 }
    fc.assert(
      fc.property(option, option, option, option, (steps, seed, start, attemptDuration) => {
        counts.options++
        counts.hostileArguments += [steps, seed, start, attemptDuration].filter(isHostile).length
        // a nullish option takes its default (seed 0, start 0, attemptDuration 0); steps is required
        const valid =
          isCount(steps) &&
          (seed == null || Number.isSafeInteger(seed)) &&
          (start == null || (typeof start === 'number' && Number.isFinite(start))) &&
          (attemptDuration == null || isDuration(attemptDuration))
        // a valid count is capped at 300 steps, to keep the run short
        const options = { steps: isCount(steps) ? Math.min(steps, 300) : steps, seed, start, attemptDuration }
        let run: ReturnType<typeof S.simulate<unknown>>
        try {
          run = S.simulate(options)
        } catch (error) {
          expect([RangeError, TypeError]).toContain((error as Error).constructor)
          expect(nameOf(error)).toBe('Schedule.simulate')
          expect(valid).toBe(false)
          return
        }
        expect(valid).toBe(true)
        for (const step of run(policy)) {
          expect(Number.isFinite(step.delay) && step.delay >= 0 && step.delay <= MAX).toBe(true)
        }
      }),
      { seed: 9, numRuns: 2000 }
    )
    expect(counts.options).toBe(2000)
    expect(counts.hostileArguments).toBeGreaterThan(4000)
    console.log(`fuzz: ${counts.options} simulate options, ${counts.hostileArguments} hostile arguments`)
  })

  it('the extremes of each constructor saturate instead of overflowing', () => {
    const extremes: ReadonlyArray<Any> = [
      S.exponential(Number.MAX_VALUE, Number.MAX_VALUE),
      S.exponential(1, 1e308),
      S.fibonacci(Number.MAX_VALUE),
      S.linear(Number.MAX_VALUE),
      S.constant(Number.MAX_VALUE),
      S.fixed(Number.MAX_VALUE),
      S.fromDelays(Number.MAX_VALUE, MAX + 2, 0),
      S.decorrelatedJitter({ base: Number.MAX_VALUE / 2, cap: Number.MAX_VALUE }),
      pipe(S.constant(MAX), S.jitteredWith({ min: Number.MAX_VALUE, max: Number.MAX_VALUE })),
      pipe(S.constant(MAX), S.addJitter([Number.MAX_VALUE, Number.MAX_VALUE])),
      piped(S.constant(MAX))(S.addDelay(() => Infinity)),
      piped(S.constant(MAX))(S.modifyDelay(() => NaN))
    ]
    for (const schedule of extremes) {
      for (const seed of [0, 1, 2]) {
        checkDelays(schedule, { steps: 300, seed, attemptDuration: MAX })
      }
    }
  })
})

// -------------------------------------------------------------------------------------
// Config
// -------------------------------------------------------------------------------------

/** Durations as a policy file could write them, right and almost right. */
const durationish: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    '250ms',
    '1.5s',
    '.1s',
    '2m',
    '1h',
    '0ms',
    '10.s',
    100,
    0,
    '10',
    '1.5.s',
    '-5ms',
    '1e3ms',
    ' 5ms',
    '5 ms',
    '5MS',
    '5ms\n',
    'Infinityms',
    'NaNms',
    '0x10ms',
    '١٢ms',
    '5d',
    '',
    '.s',
    `${'9'.repeat(400)}h`,
    `${'9'.repeat(30)}ms`,
    -1,
    -0,
    1e400,
    NaN,
    MAX + 2,
    Number.MAX_VALUE,
    null,
    true,
    [],
    {}
  ),
  fc.integer({ min: 0, max: 100_000 }).map((n) => `${n}ms`),
  fc.double().map((n) => `${n}s`),
  fc.double()
)

const numberish: fc.Arbitrary<unknown> = fc.oneof(num, fc.constantFrom('3', null, 1.5, -1, 1e20, MAX + 1))

const near = <A>(valid: fc.Arbitrary<A>, typos: ReadonlyArray<string>): fc.Arbitrary<A | string> =>
  fc.oneof({ weight: 3, arbitrary: valid }, { weight: 1, arbitrary: fc.constantFrom(...typos) })

/** Policies shaped like the real thing, with typos, wrong types and contradictions mixed in. */
const nearMissPolicy: fc.Arbitrary<unknown> = fc.dictionary(
  near(
    fc.constantFrom(
      'constant',
      'exponential',
      'fibonacci',
      'linear',
      'decorrelatedJitter',
      'fromDelays',
      'jitter',
      'minDelay',
      'cap',
      'maxRetries',
      'maxElapsed',
      'maxCumulativeDelay'
    ),
    ['maxRetires', 'Exponential', 'jiter', 'cap ', '__proto__', 'constructor', 'toString', 'hasOwnProperty', '']
  ),
  fc.oneof(
    durationish,
    numberish,
    fc.record({ base: durationish, factor: numberish, cap: durationish, extra: fc.constant(1) }, { requiredKeys: [] }),
    fc.array(durationish, { maxLength: 4 }),
    fc.constantFrom('none', 'default', 'full', 'equal', 'Full', 'none ', 'decorrelated'),
    fc.record({ min: numberish, max: numberish }, { requiredKeys: [] }),
    fc.record({ add: fc.oneof(durationish, fc.array(durationish, { maxLength: 3 })) })
  ),
  { maxKeys: 5 }
)

const nearMissGrpc: fc.Arbitrary<unknown> = fc.record(
  {
    maxAttempts: fc.oneof(fc.integer({ min: -1, max: 8 }), numberish),
    initialBackoff: durationish,
    maxBackoff: durationish,
    backoffMultiplier: fc.oneof(fc.constantFrom(0, 0.5, 1, 2, -1, NaN, 1e308), numberish),
    retryableStatusCodes: fc.oneof(
      fc.array(fc.constantFrom<unknown>('UNAVAILABLE', 'unavailable', 14, 17, -1, 'NOPE', 'OK', null, 1.5), {
        maxLength: 3
      }),
      fc.constantFrom<unknown>('UNAVAILABLE', null, {})
    ),
    retryableStatusCode: fc.constant(['UNAVAILABLE'])
  },
  { requiredKeys: [] }
)

/** A decoder's answer: never a throw; a Left is a ConfigError with problems, a Right gives valid delays. */
const checkDecoded = (result: E.Either<Config.ConfigError, Any>, seed: number): void => {
  expect(result._tag === 'Left' || result._tag === 'Right').toBe(true)
  if (E.isLeft(result)) {
    expect(typeof result.left.message).toBe('string')
    expect(result.left.problems.length).toBeGreaterThan(0)
    for (const problem of result.left.problems) {
      expect(typeof problem.path).toBe('string')
      expect(typeof problem.message).toBe('string')
    }
  } else {
    checkDelays(result.right, { steps: 200, seed, attemptDuration: seed % 7 })
  }
}

/** Each decoder, and how many of the near-miss policies must decode to a `Right` (the generator reaches both sides). */
const decoders: ReadonlyArray<readonly [string, (u: unknown) => E.Either<Config.ConfigError, Any>, number]> = [
  ['Config.decode', Config.decode, 50],
  ['Config.decodeGrpcRetryPolicy', (u) => piped(Config.decodeGrpcRetryPolicy(u))(E.map((g) => g.schedule as Any)), 0]
]

describe.each(decoders)('%s never throws', (name, decode, nearMissRights) => {
  // a label, the inputs, how many to try, and how many must decode to a Right
  const cases: ReadonlyArray<readonly [string, fc.Arbitrary<unknown>, number, number]> = [
    ['random JSON (fc.jsonValue)', fc.jsonValue(), 1500, 0],
    [
      'random JavaScript values (fc.anything)',
      fc.anything({
        withBigInt: true,
        withBoxedValues: true,
        withDate: true,
        withMap: true,
        withSet: true,
        withNullPrototype: true,
        withObjectString: true,
        withSparseArray: true,
        withTypedArray: true
      }),
      1500,
      0
    ],
    ['near-miss policies', fc.oneof(nearMissPolicy, nearMissGrpc), 2000, nearMissRights]
  ]
  it.each(cases)('%s', (label, input, numRuns, rights) => {
    const counts = { inputs: 0, Left: 0, Right: 0 }
    fc.assert(
      fc.property(input, fc.nat(1000), (u, seed) => {
        counts.inputs++
        let result: E.Either<Config.ConfigError, Any>
        try {
          result = decode(u)
        } catch (error) {
          throw new Error(`threw ${String(error)}`)
        }
        checkDecoded(result, seed)
        counts[result._tag]++
      }),
      { seed: 10, numRuns }
    )
    // every input was tried and judged
    expect(counts.inputs).toBe(numRuns)
    expect(counts.Left + counts.Right).toBe(numRuns)
    expect(counts.Right).toBeGreaterThanOrEqual(rights)
    console.log(`fuzz: ${name}, ${label}: ${numRuns} inputs (${counts.Left} Left, ${counts.Right} Right), none threw`)
  })
})

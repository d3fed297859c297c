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
import { concatAll } from 'fp-ts/Monoid'
import * as O from 'fp-ts/Option'
import { afterAll, describe, expect, it } from 'vitest'
import * as Config from '../../src/Config'
import * as S from '../../src/Schedule'

const MAX = Number.MAX_SAFE_INTEGER

const tally = {
  schedules: 0,
  rejected: 0,
  simulated: 0,
  delaysChecked: 0,
  hostileArguments: 0,
  simulateOptions: 0,
  configInputs: 0,
  configLefts: 0,
  configRights: 0
}

// -------------------------------------------------------------------------------------
// arguments
// -------------------------------------------------------------------------------------

/** Values no caller should pass, and some that are only just valid. */
const edgeNumbers = [
  NaN,
  0,
  -0,
  Infinity,
  -Infinity,
  -1,
  -Number.MIN_VALUE,
  Number.MIN_VALUE,
  0.5,
  1,
  1 - Number.EPSILON,
  1 + Number.EPSILON,
  2 ** 31 - 1,
  2 ** 31,
  2 ** 32,
  MAX,
  MAX + 2,
  1e21,
  1e308,
  Number.MAX_VALUE,
  -Number.MAX_VALUE
]
/** Non-numbers in a number's place, as an untyped caller could pass them. */
const junk: ReadonlyArray<unknown> = ['5', '', null, undefined, true, [], {}, [3], 5n, Symbol('x'), () => 1]

/** A number: mostly small and valid, often hostile. */
const numeric: fc.Arbitrary<number> = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 20 }) },
  { weight: 3, arbitrary: fc.double({ min: 0, max: 50, noNaN: true }) },
  { weight: 3, arbitrary: fc.constantFrom(...edgeNumbers) },
  { weight: 2, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.integer({ min: -100, max: -1 }) }
)

/** An argument in a number's place: a number, or sometimes not a number at all. */
const num: fc.Arbitrary<number> = fc.oneof(
  { weight: 12, arbitrary: numeric },
  { weight: 1, arbitrary: fc.constantFrom(...junk) as fc.Arbitrary<number> }
)

const isHostile = (u: unknown): boolean =>
  typeof u !== 'number' || !Number.isSafeInteger(u) || u < 0 || Object.is(u, -0) || u > MAX

// the contract's rules for arguments (DESIGN.md, "Time and delays")
const isDuration = (u: unknown): boolean => typeof u === 'number' && Number.isFinite(u) && u >= 0
const isCount = (u: unknown): boolean => typeof u === 'number' && Number.isSafeInteger(u) && u >= 0
const isFactor = (u: unknown): boolean => typeof u === 'number' && Number.isFinite(u) && u >= 1
const isMultiplier = isDuration

/** A user function's results (a hand-written step's delays): numbers, hostile ones included, cycled through. */
const results = fc.array(numeric, { minLength: 1, maxLength: 6 })
/** A function that returns the values in turn, forever; each call of `cycle(values)` starts a fresh one. */
const cycle = <A>(values: ReadonlyArray<A>): (() => A) => {
  let i = 0
  return () => values[i++ % values.length]
}

// -------------------------------------------------------------------------------------
// recipes: a schedule described as data, so fast-check can show and shrink it
// -------------------------------------------------------------------------------------

type Recipe =
  | { readonly _tag: 'forever' | 'once' | 'stop' }
  | { readonly _tag: 'recurs'; readonly n: number }
  | { readonly _tag: 'constant' | 'spaced' | 'fibonacci' | 'linear' | 'fixed'; readonly d: number }
  | { readonly _tag: 'exponential'; readonly base: number; readonly factor: number | undefined }
  | { readonly _tag: 'fromDelays'; readonly delays: ReadonlyArray<number> }
  | { readonly _tag: 'decorrelatedJitter'; readonly base: number; readonly cap: number }
  | { readonly _tag: 'make'; readonly delays: ReadonlyArray<number>; readonly limit: number }
  | { readonly _tag: 'jittered' | 'fullJitter' | 'equalJitter' | 'delays' | 'elapsed'; readonly self: Recipe }
  | { readonly _tag: 'jitteredWith'; readonly min: number; readonly max: number; readonly self: Recipe }
  | { readonly _tag: 'addJitter'; readonly range: unknown; readonly self: Recipe }
  | {
      readonly _tag: 'capDelay' | 'minDelay' | 'maxRetries' | 'maxElapsed' | 'maxCumulativeDelay'
      readonly x: number
      readonly self: Recipe
    }
  | { readonly _tag: 'addDelay' | 'modifyDelay'; readonly values: ReadonlyArray<number>; readonly self: Recipe }
  | {
      readonly _tag: 'withDelayHint'
      readonly hints: ReadonlyArray<number | undefined>
      readonly fromInput: boolean
      readonly self: Recipe
    }
  | {
      readonly _tag: 'whileInput' | 'untilInput' | 'whileOutput' | 'untilOutput'
      readonly answers: ReadonlyArray<boolean>
      readonly self: Recipe
    }
  | { readonly _tag: 'map' | 'as' | 'tapInput' | 'tapOutput'; readonly self: Recipe }
  | { readonly _tag: 'intersect' | 'union' | 'andThen'; readonly self: Recipe; readonly that: Recipe }
  | { readonly _tag: 'intersectAll' | 'unionAll'; readonly all: ReadonlyArray<Recipe> }

const recipe: fc.Arbitrary<Recipe> = fc.letrec<{ recipe: Recipe }>((tie) => {
  const self = tie('recipe')
  const leaf: fc.Arbitrary<Recipe> = fc.oneof(
    fc.constantFrom<Recipe>({ _tag: 'forever' }, { _tag: 'once' }, { _tag: 'stop' }),
    fc.record({ _tag: fc.constant('recurs' as const), n: num }),
    fc.record({ _tag: fc.constantFrom('constant', 'spaced', 'fibonacci', 'linear', 'fixed'), d: num }),
    fc.record({ _tag: fc.constant('exponential' as const), base: num, factor: fc.option(num, { nil: undefined }) }),
    fc.record({ _tag: fc.constant('fromDelays' as const), delays: fc.array(num, { maxLength: 6 }) }),
    fc.record({ _tag: fc.constant('decorrelatedJitter' as const), base: num, cap: num }),
    fc.record({ _tag: fc.constant('make' as const), delays: results, limit: fc.integer({ min: 0, max: 400 }) })
  )
  const range: fc.Arbitrary<unknown> = fc.oneof(
    num,
    fc.tuple(num, num),
    fc.constantFrom<unknown>([], [1], [1, 2, 3], { min: 1, max: 2 }, null, 'x'),
    fc.array(num, { maxLength: 3 })
  )
  const node: fc.Arbitrary<Recipe> = fc.oneof(
    fc.record({ _tag: fc.constantFrom('jittered', 'fullJitter', 'equalJitter', 'delays', 'elapsed'), self }),
    fc.record({ _tag: fc.constant('jitteredWith' as const), min: num, max: num, self }),
    fc.record({ _tag: fc.constant('addJitter' as const), range, self }),
    fc.record({
      _tag: fc.constantFrom('capDelay', 'minDelay', 'maxRetries', 'maxElapsed', 'maxCumulativeDelay'),
      x: num,
      self
    }),
    fc.record({ _tag: fc.constantFrom('addDelay', 'modifyDelay'), values: results, self }),
    fc.record({
      _tag: fc.constant('withDelayHint' as const),
      hints: fc.array(fc.option(numeric, { nil: undefined }), { minLength: 1, maxLength: 5 }),
      fromInput: fc.boolean(),
      self
    }),
    fc.record({
      _tag: fc.constantFrom('whileInput', 'untilInput', 'whileOutput', 'untilOutput'),
      answers: fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }),
      self
    }),
    fc.record({ _tag: fc.constantFrom('map', 'as', 'tapInput', 'tapOutput'), self }),
    fc.record({ _tag: fc.constantFrom('intersect', 'union', 'andThen'), self, that: self }),
    fc.record({ _tag: fc.constantFrom('intersectAll', 'unionAll'), all: fc.array(self, { maxLength: 3 }) })
  )
  return { recipe: fc.oneof({ depthSize: 'small', maxDepth: 5, withCrossShrink: true }, leaf, node) }
}).recipe

/** The names of the public functions a recipe calls, as they appear in a RangeError. */
const names = (r: Recipe): ReadonlyArray<string> => {
  const own = `Schedule.${r._tag === 'intersectAll' || r._tag === 'unionAll' ? r._tag.replace('All', '') : r._tag}`
  const children = 'all' in r ? r.all : 'that' in r ? [r.self, r.that] : 'self' in r ? [r.self] : []
  return [own, ...children.flatMap(names)]
}

/** Whether the contract says every argument of the recipe is valid (so it must build without a throw). */
const isValid = (r: Recipe): boolean => {
  switch (r._tag) {
    case 'forever':
    case 'once':
    case 'stop':
    case 'make':
      return true
    case 'recurs':
      return isCount(r.n)
    case 'constant':
    case 'spaced':
    case 'fibonacci':
    case 'linear':
    case 'fixed':
      return isDuration(r.d)
    case 'exponential':
      return isDuration(r.base) && (r.factor === undefined || isFactor(r.factor))
    case 'fromDelays':
      return r.delays.every(isDuration)
    case 'decorrelatedJitter':
      return isDuration(r.base) && isDuration(r.cap) && r.cap >= r.base
    case 'jitteredWith':
      return isMultiplier(r.min) && isMultiplier(r.max) && r.min <= r.max && isValid(r.self)
    case 'addJitter': {
      const range = r.range
      const ok =
        typeof range === 'number'
          ? isDuration(range)
          : Array.isArray(range) && isDuration(range[0]) && isDuration(range[1]) && range[0] <= range[1]
      return ok && isValid(r.self)
    }
    case 'capDelay':
    case 'minDelay':
    case 'maxElapsed':
    case 'maxCumulativeDelay':
      return isDuration(r.x) && isValid(r.self)
    case 'maxRetries':
      return isCount(r.x) && isValid(r.self)
    case 'intersect':
    case 'union':
    case 'andThen':
      return isValid(r.self) && isValid(r.that)
    case 'intersectAll':
    case 'unionAll':
      return r.all.every(isValid)
    default:
      return isValid(r.self)
  }
}

/** Counts the hostile arguments a recipe passes. */
const hostileArguments = (r: Recipe): number => {
  const own = ((): ReadonlyArray<unknown> => {
    switch (r._tag) {
      case 'recurs':
        return [r.n]
      case 'constant':
      case 'spaced':
      case 'fibonacci':
      case 'linear':
      case 'fixed':
        return [r.d]
      case 'exponential':
        return r.factor === undefined ? [r.base] : [r.base, r.factor]
      case 'fromDelays':
        return r.delays.length === 0 ? [[]] : r.delays
      case 'decorrelatedJitter':
        return [r.base, r.cap]
      case 'jitteredWith':
        return [r.min, r.max]
      case 'addJitter':
        return Array.isArray(r.range) ? (r.range.length === 2 ? r.range : [r.range]) : [r.range]
      case 'capDelay':
      case 'minDelay':
      case 'maxRetries':
      case 'maxElapsed':
      case 'maxCumulativeDelay':
        return [r.x]
      case 'make':
      case 'addDelay':
      case 'modifyDelay':
        return r._tag === 'make' ? r.delays : r.values
      case 'withDelayHint':
        return r.hints.filter((h) => h !== undefined)
      default:
        return []
    }
  })()
  const children = 'all' in r ? r.all : 'that' in r ? [r.self, r.that] : 'self' in r ? [r.self] : []
  return (
    own.filter((u) => (Array.isArray(u) ? u.length !== 2 : isHostile(u))).length +
    children.reduce((sum, c) => sum + hostileArguments(c), 0)
  )
}

type Any = S.Schedule<unknown, unknown>

/** Builds the schedule a recipe describes; throws whatever the library throws. */
const build = (r: Recipe): Any => {
  switch (r._tag) {
    case 'forever':
      return S.forever
    case 'once':
      return S.once
    case 'stop':
      return S.stop
    case 'recurs':
      return S.recurs(r.n)
    case 'constant':
      return S.constant(r.d)
    case 'spaced':
      return S.spaced(r.d)
    case 'fibonacci':
      return S.fibonacci(r.d)
    case 'linear':
      return S.linear(r.d)
    case 'fixed':
      return S.fixed(r.d)
    case 'exponential':
      return r.factor === undefined ? S.exponential(r.base) : S.exponential(r.base, r.factor)
    case 'fromDelays':
      return S.fromDelays(...r.delays)
    case 'decorrelatedJitter':
      return S.decorrelatedJitter({ base: r.base, cap: r.cap })
    case 'make': {
      // a hand-written schedule whose step asks for garbage delays
      const limit = r.limit
      const delays = r.delays
      return S.make(0, (_: unknown, _context, i: number) =>
        i < limit ? S.continueAfter(delays[i % delays.length], i, i + 1) : S.done
      )
    }
    case 'jittered':
      return pipe(build(r.self), S.jittered)
    case 'fullJitter':
      return pipe(build(r.self), S.fullJitter)
    case 'equalJitter':
      return pipe(build(r.self), S.equalJitter)
    case 'delays':
      return pipe(build(r.self), S.delays)
    case 'elapsed':
      return pipe(build(r.self), S.elapsed)
    case 'jitteredWith': {
      const f = S.jitteredWith({ min: r.min, max: r.max })
      return f(build(r.self))
    }
    case 'addJitter': {
      const f = S.addJitter(r.range as number)
      return f(build(r.self))
    }
    case 'capDelay': {
      const f = S.capDelay(r.x)
      return f(build(r.self))
    }
    case 'minDelay': {
      const f = S.minDelay(r.x)
      return f(build(r.self))
    }
    case 'maxRetries': {
      const f = S.maxRetries(r.x)
      return f(build(r.self))
    }
    case 'maxElapsed': {
      const f = S.maxElapsed(r.x)
      return f(build(r.self))
    }
    case 'maxCumulativeDelay': {
      const f = S.maxCumulativeDelay(r.x)
      return f(build(r.self))
    }
    case 'addDelay': {
      const next = cycle(r.values)
      return pipe(
        build(r.self),
        S.addDelay(() => next())
      )
    }
    case 'modifyDelay': {
      const next = cycle(r.values)
      return pipe(
        build(r.self),
        S.modifyDelay((d: number) => {
          const v = next()
          // half the time a function of the delay (overflowing, negating), else the value itself
          return typeof v === 'number' && v > 10 ? d * v : typeof v === 'number' && v < 0 ? -d : v
        })
      )
    }
    case 'withDelayHint': {
      const next = cycle(r.hints)
      const fromInput = r.fromInput
      return pipe(
        build(r.self),
        S.withDelayHint((input: unknown) =>
          fromInput && typeof input === 'number' ? O.some(input) : O.fromNullable(next())
        )
      )
    }
    case 'whileInput':
      return pipe(build(r.self), S.whileInput(cycle(r.answers)))
    case 'untilInput':
      return pipe(build(r.self), S.untilInput(cycle(r.answers)))
    case 'whileOutput':
      return pipe(build(r.self), S.whileOutput(cycle(r.answers)))
    case 'untilOutput':
      return pipe(build(r.self), S.untilOutput(cycle(r.answers)))
    case 'map':
      return pipe(
        build(r.self),
        S.map((out) => [out])
      )
    case 'as':
      return pipe(build(r.self), S.as('again'))
    case 'tapInput':
      return pipe(
        build(r.self),
        S.tapInput(() => () => undefined)
      )
    case 'tapOutput':
      return pipe(
        build(r.self),
        S.tapOutput(() => () => undefined)
      )
    case 'intersect': {
      const that = build(r.that)
      return pipe(build(r.self), S.intersect(that))
    }
    case 'union': {
      const that = build(r.that)
      return pipe(build(r.self), S.union(that))
    }
    case 'andThen': {
      const that = build(r.that)
      return pipe(build(r.self), S.andThen(that))
    }
    case 'intersectAll':
      return concatAll(S.getIntersectMonoid<unknown>())(r.all.map(build))
    case 'unionAll':
      return concatAll(S.getUnionMonoid<unknown>())(r.all.map(build))
  }
}

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

/** Every delay a finite, non-negative number no larger than `Number.MAX_SAFE_INTEGER`. */
const checkDelays = (schedule: Any, options: S.SimulationOptions<unknown>): void => {
  const steps = pipe(schedule, S.simulate(options))
  expect(steps.length).toBeLessThanOrEqual(options.steps)
  for (const step of steps) {
    if (!(typeof step.delay === 'number' && Number.isFinite(step.delay) && step.delay >= 0 && step.delay <= MAX)) {
      throw new Error(`invalid delay ${String(step.delay)} at attempt ${step.attempt}`)
    }
  }
  tally.simulated++
  tally.delaysChecked += steps.length
}

const nameOf = (error: unknown): string | undefined =>
  error instanceof Error ? /^(Schedule\.\w+): /.exec(error.message)?.[1] : undefined

// -------------------------------------------------------------------------------------
// schedules
// -------------------------------------------------------------------------------------

describe('random schedules with hostile arguments', () => {
  it('either a RangeError or TypeError naming the function, exactly when an argument is invalid, or valid delays', () => {
    fc.assert(
      fc.property(recipe, fc.array(simulation, { minLength: 1, maxLength: 3 }), (r, simulations) => {
        tally.schedules++
        tally.hostileArguments += hostileArguments(r)
        let schedule: Any
        try {
          schedule = build(r)
        } catch (error) {
          tally.rejected++
          // a number out of range is a RangeError, a value of another type a TypeError
          expect([RangeError, TypeError]).toContain((error as Error).constructor)
          expect(names(r)).toContain(nameOf(error))
          expect(isValid(r)).toBe(false)
          return
        }
        expect(isValid(r)).toBe(true)
        for (const options of simulations) checkDelays(schedule, options)
      }),
      { seed: 8, numRuns: 4000 }
    )
    // the generator really is hostile: many built, many refused
    expect(tally.rejected).toBeGreaterThan(1000)
    expect(tally.schedules - tally.rejected).toBeGreaterThan(1000)
  })

  it("simulate's own options: a RangeError or TypeError naming Schedule.simulate exactly when one is invalid", () => {
    // no Symbol here: simulate's messages interpolate the value, which throws a TypeError for a Symbol
    const option = fc.oneof(
      { weight: 12, arbitrary: numeric },
      { weight: 1, arbitrary: fc.constantFrom(...junk.filter((u) => typeof u !== 'symbol')) as fc.Arbitrary<number> }
    )
    const policy = pipe(S.exponential(10), S.jittered, S.maxElapsed(1e12))
    fc.assert(
      fc.property(option, option, option, option, (steps, seed, start, attemptDuration) => {
        tally.simulateOptions++
        tally.hostileArguments += [steps, seed, start, attemptDuration].filter(isHostile).length
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
      pipe(
        S.constant(MAX),
        S.addDelay(() => Infinity)
      ),
      pipe(
        S.constant(MAX),
        S.modifyDelay(() => NaN)
      )
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
    tally.configLefts++
    expect(typeof result.left.message).toBe('string')
    expect(result.left.problems.length).toBeGreaterThan(0)
    for (const problem of result.left.problems) {
      expect(typeof problem.path).toBe('string')
      expect(typeof problem.message).toBe('string')
    }
  } else {
    tally.configRights++
    checkDelays(result.right, { steps: 200, seed, attemptDuration: seed % 7 })
  }
}

const decoders: ReadonlyArray<readonly [string, (u: unknown) => E.Either<Config.ConfigError, Any>]> = [
  ['Config.decode', Config.decode],
  [
    'Config.decodeGrpcRetryPolicy',
    (u) =>
      pipe(
        Config.decodeGrpcRetryPolicy(u),
        E.map((g) => g.schedule as Any)
      )
  ]
]

describe.each(decoders)('%s never throws', (_name, decode) => {
  const cases: ReadonlyArray<readonly [string, fc.Arbitrary<unknown>, number]> = [
    ['random JSON (fc.jsonValue)', fc.jsonValue(), 1500],
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
      1500
    ],
    ['near-miss policies', fc.oneof(nearMissPolicy, nearMissGrpc), 2000]
  ]
  it.each(cases)('%s', (_label, input, numRuns) => {
    fc.assert(
      fc.property(input, fc.nat(1000), (u, seed) => {
        tally.configInputs++
        let result: E.Either<Config.ConfigError, Any>
        try {
          result = decode(u)
        } catch (error) {
          throw new Error(`threw ${String(error)}`)
        }
        checkDecoded(result, seed)
      }),
      { seed: 10, numRuns }
    )
  })
})

describe('the counts', () => {
  it('every fuzzed input was tried and judged', () => {
    expect(tally.schedules).toBe(4000)
    expect(tally.simulateOptions).toBe(2000)
    expect(tally.configInputs).toBe(2 * (1500 + 1500 + 2000))
    expect(tally.configLefts + tally.configRights).toBe(tally.configInputs)
    // the near-miss generators reach both sides
    expect(tally.configRights).toBeGreaterThan(50)
    expect(tally.hostileArguments).toBeGreaterThan(5000)
  })
})

afterAll(() => {
  console.log(
    `fuzz: ${tally.schedules} random schedules (${tally.rejected} refused with a RangeError or TypeError), ` +
      `${tally.simulateOptions} simulate options, ${tally.hostileArguments} hostile arguments, ` +
      `${tally.simulated} simulations checking ${tally.delaysChecked} delays; ` +
      `${tally.configInputs} inputs to the decoders (${tally.configLefts} Left, ${tally.configRights} Right), none threw`
  )
})

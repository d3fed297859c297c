/**
 * The one random schedule of the tests: a `Recipe` (a schedule described as data, so fast-check can
 * show and shrink it) built from every constructor, modifier, limit and combinator of
 * `schedule-ts/Schedule`, and `build` to turn it into the schedule it describes.
 *
 * The same recipes serve two purposes, with two sets of arguments:
 *
 * - `validArguments`: every argument is one the contract accepts, so every recipe builds; the laws
 *   and invariants of test/Schedule.test.ts run over these.
 * - `hostileArguments`: arguments are often out of range or not numbers at all; test/fuzz.test.ts
 *   checks that building throws exactly when `isValid` says the contract forbids an argument.
 *
 * Every user function a recipe passes (`addDelay`, `whileInput`, `mapInput`, ...) is pure: it picks
 * its answer from the values it was generated with by what it is called with, so a schedule gives
 * the same decisions on every run, as the contract requires of every schedule value, and the laws
 * can compare runs.
 */
import * as fc from 'fast-check'
import { pipe } from 'fp-ts/function'
import { concatAll } from 'fp-ts/Monoid'
import * as O from 'fp-ts/Option'
import * as S from '../src/Schedule'
import { piped } from './helpers'

const MAX = Number.MAX_SAFE_INTEGER

// -------------------------------------------------------------------------------------
// numbers
// -------------------------------------------------------------------------------------

/** Values no caller should pass, and some that are only just valid. */
export const edgeNumbers: ReadonlyArray<number> = [
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
export const junk: ReadonlyArray<unknown> = ['5', '', null, undefined, true, [], {}, [3], 5n, Symbol('x'), () => 1]

/** A number: mostly small and valid, often hostile. */
export const numeric: fc.Arbitrary<number> = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 20 }) },
  { weight: 3, arbitrary: fc.double({ min: 0, max: 50, noNaN: true }) },
  { weight: 3, arbitrary: fc.constantFrom(...edgeNumbers) },
  { weight: 2, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.integer({ min: -100, max: -1 }) }
)

/** An argument in a number's place: a number, or sometimes not a number at all. */
export const num: fc.Arbitrary<number> = fc.oneof(
  { weight: 12, arbitrary: numeric },
  { weight: 1, arbitrary: fc.constantFrom(...junk) as fc.Arbitrary<number> }
)

/** A valid duration, large ones included. */
export const duration: fc.Arbitrary<number> = fc.oneof(
  fc.integer({ min: 0, max: 10_000 }),
  fc.double({ min: 0, max: 1e6, noNaN: true }),
  fc.constantFrom(0, MAX, 2 ** 31, 1e300)
)

/** Two values of `arbitrary`, the smaller first. */
const ordered = (arbitrary: fc.Arbitrary<number>): fc.Arbitrary<readonly [number, number]> =>
  fc.tuple(arbitrary, arbitrary).map(([a, b]) => [Math.min(a, b), Math.max(a, b)] as const)

// the contract's rules for arguments (DESIGN.md, "Time and delays")
export const isDuration = (u: unknown): boolean => typeof u === 'number' && Number.isFinite(u) && u >= 0
export const isCount = (u: unknown): boolean => typeof u === 'number' && Number.isSafeInteger(u) && u >= 0
const isFactor = (u: unknown): boolean => typeof u === 'number' && Number.isFinite(u) && u >= 1
const isMultiplier = isDuration

/** What a recipe passes where the API takes a number, by kind of argument. */
export interface Arguments {
  /** A duration: of a constructor, a modifier or a limit. */
  readonly duration: fc.Arbitrary<number>
  /** A count: `recurs`, `maxRetries`. */
  readonly count: fc.Arbitrary<number>
  /** `exponential`'s factor. */
  readonly factor: fc.Arbitrary<number>
  /** `jitteredWith`'s `[min, max]`. */
  readonly multipliers: fc.Arbitrary<readonly [number, number]>
  /** `decorrelatedJitter`'s `[base, cap]`. */
  readonly bounds: fc.Arbitrary<readonly [number, number]>
  /** `addJitter`'s argument: a maximum or a `[min, max]` range. */
  readonly range: fc.Arbitrary<unknown>
  /** What a user function returns as a delay (`addDelay`, `modifyDelay`, a hand-written step, a hint). */
  readonly result: fc.Arbitrary<number>
}

/** Arguments the contract accepts, so every recipe builds. */
export const validArguments: Arguments = {
  duration,
  count: fc.nat({ max: 20 }),
  factor: fc.double({ min: 1, max: 1e3, noNaN: true }),
  multipliers: ordered(fc.double({ min: 0, max: 10, noNaN: true })),
  bounds: ordered(duration),
  range: fc.oneof(duration, ordered(duration)),
  // a user function may return anything: the schedule clamps it
  result: fc.double()
}

/** Arguments that are often out of range, or not numbers at all. */
export const hostileArguments: Arguments = {
  duration: num,
  count: num,
  factor: num,
  multipliers: fc.tuple(num, num),
  bounds: fc.tuple(num, num),
  range: fc.oneof(
    num,
    fc.tuple(num, num),
    fc.constantFrom<unknown>([], [1], [1, 2, 3], { min: 1, max: 2 }, null, 'x'),
    fc.array(num, { maxLength: 3 })
  ),
  result: numeric
}

// -------------------------------------------------------------------------------------
// recipes
// -------------------------------------------------------------------------------------

export type Recipe =
  | { readonly _tag: 'forever' | 'once' | 'stop' }
  | { readonly _tag: 'recurs'; readonly n: number }
  | { readonly _tag: 'constant' | 'spaced' | 'fibonacci' | 'linear' | 'fixed' | 'windowed'; readonly d: number }
  | { readonly _tag: 'exponential'; readonly base: number; readonly factor: number | undefined }
  | { readonly _tag: 'fromDelays'; readonly delays: ReadonlyArray<number> }
  | { readonly _tag: 'decorrelatedJitter'; readonly base: number; readonly cap: number }
  | { readonly _tag: 'make'; readonly delays: ReadonlyArray<number>; readonly limit: number }
  | {
      readonly _tag: 'jittered' | 'fullJitter' | 'equalJitter' | 'delays' | 'elapsed' | 'passthrough'
      readonly self: Recipe
    }
  | { readonly _tag: 'jitteredWith'; readonly min: number; readonly max: number; readonly self: Recipe }
  | { readonly _tag: 'addJitter'; readonly range: unknown; readonly self: Recipe }
  | {
      readonly _tag: 'capDelay' | 'minDelay' | 'maxRetries' | 'maxElapsed' | 'maxCumulativeDelay' | 'resetAfter'
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
      readonly _tag: 'whileInput' | 'untilInput' | 'whileOutput' | 'untilOutput' | 'resetWhen'
      readonly answers: ReadonlyArray<boolean>
      readonly self: Recipe
    }
  | { readonly _tag: 'map' | 'as' | 'tapInput' | 'tapOutput'; readonly self: Recipe }
  | { readonly _tag: 'mapInput' | 'promap'; readonly offset: number; readonly self: Recipe }
  | { readonly _tag: 'intersect' | 'union' | 'andThen'; readonly self: Recipe; readonly that: Recipe }
  | { readonly _tag: 'intersectAll' | 'unionAll'; readonly all: ReadonlyArray<Recipe> }

/** Every tag a recipe can have: each names the `Schedule` function it calls (the `All`s, a monoid's `concat`). */
export const recipeTags: ReadonlyArray<Recipe['_tag']> = [
  'forever',
  'once',
  'stop',
  'recurs',
  'constant',
  'spaced',
  'fibonacci',
  'linear',
  'fixed',
  'windowed',
  'exponential',
  'fromDelays',
  'decorrelatedJitter',
  'make',
  'jittered',
  'fullJitter',
  'equalJitter',
  'delays',
  'elapsed',
  'passthrough',
  'jitteredWith',
  'addJitter',
  'capDelay',
  'minDelay',
  'maxRetries',
  'maxElapsed',
  'maxCumulativeDelay',
  'resetAfter',
  'addDelay',
  'modifyDelay',
  'withDelayHint',
  'whileInput',
  'untilInput',
  'whileOutput',
  'untilOutput',
  'resetWhen',
  'map',
  'as',
  'tapInput',
  'tapOutput',
  'mapInput',
  'promap',
  'intersect',
  'union',
  'andThen',
  'intersectAll',
  'unionAll'
]

/** Random recipes, with the given arguments, nested at most 5 deep. */
export const recipe = (args: Arguments): fc.Arbitrary<Recipe> =>
  fc.letrec<{ recipe: Recipe }>((tie) => {
    const self = tie('recipe')
    const leaf: fc.Arbitrary<Recipe> = fc.oneof(
      fc.constantFrom<Recipe>({ _tag: 'forever' }, { _tag: 'once' }, { _tag: 'stop' }),
      fc.record({ _tag: fc.constant('recurs' as const), n: args.count }),
      fc.record({
        _tag: fc.constantFrom('constant', 'spaced', 'fibonacci', 'linear', 'fixed', 'windowed'),
        d: args.duration
      }),
      fc.record({
        _tag: fc.constant('exponential' as const),
        base: args.duration,
        factor: fc.option(args.factor, { nil: undefined })
      }),
      fc.record({ _tag: fc.constant('fromDelays' as const), delays: fc.array(args.duration, { maxLength: 6 }) }),
      args.bounds.map(([base, cap]): Recipe => ({ _tag: 'decorrelatedJitter', base, cap })),
      fc.record({
        _tag: fc.constant('make' as const),
        delays: fc.array(args.result, { minLength: 1, maxLength: 6 }),
        limit: fc.integer({ min: 0, max: 400 })
      })
    )
    const node: fc.Arbitrary<Recipe> = fc.oneof(
      fc.record({
        _tag: fc.constantFrom('jittered', 'fullJitter', 'equalJitter', 'delays', 'elapsed', 'passthrough'),
        self
      }),
      fc.tuple(args.multipliers, self).map(([[min, max], s]): Recipe => ({ _tag: 'jitteredWith', min, max, self: s })),
      fc.record({ _tag: fc.constant('addJitter' as const), range: args.range, self }),
      // one branch for the modifiers and limits that take one number: maxRetries is one of six, as each other is
      fc.oneof(
        {
          weight: 5,
          arbitrary: fc.record({
            _tag: fc.constantFrom('capDelay', 'minDelay', 'maxElapsed', 'maxCumulativeDelay', 'resetAfter'),
            x: args.duration,
            self
          })
        },
        { weight: 1, arbitrary: fc.record({ _tag: fc.constant('maxRetries' as const), x: args.count, self }) }
      ),
      fc.record({
        _tag: fc.constantFrom('addDelay', 'modifyDelay'),
        values: fc.array(args.result, { minLength: 1, maxLength: 6 }),
        self
      }),
      fc.record({
        _tag: fc.constant('withDelayHint' as const),
        hints: fc.array(fc.option(args.result, { nil: undefined }), { minLength: 1, maxLength: 5 }),
        fromInput: fc.boolean(),
        self
      }),
      fc.record({
        _tag: fc.constantFrom('whileInput', 'untilInput', 'whileOutput', 'untilOutput', 'resetWhen'),
        answers: fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }),
        self
      }),
      fc.record({ _tag: fc.constantFrom('map', 'as', 'tapInput', 'tapOutput'), self }),
      fc.record({ _tag: fc.constantFrom('mapInput', 'promap'), offset: fc.nat({ max: 100 }), self }),
      fc.record({ _tag: fc.constantFrom('intersect', 'union', 'andThen'), self, that: self }),
      fc.record({ _tag: fc.constantFrom('intersectAll', 'unionAll'), all: fc.array(self, { maxLength: 3 }) })
    )
    return { recipe: fc.oneof({ depthSize: 'small', maxDepth: 5, withCrossShrink: true }, leaf, node) }
  }).recipe

/** The recipes a recipe is made of. */
export const children = (r: Recipe): ReadonlyArray<Recipe> =>
  'all' in r ? r.all : 'that' in r ? [r.self, r.that] : 'self' in r ? [r.self] : []

/** Every tag used in a recipe, its own and those of what it is made of. */
export const tagsOf = (r: Recipe): ReadonlyArray<Recipe['_tag']> => [r._tag, ...children(r).flatMap(tagsOf)]

/** The names of the public functions a recipe calls, as they appear in a RangeError. */
export const names = (r: Recipe): ReadonlyArray<string> => {
  const own = `Schedule.${r._tag === 'intersectAll' || r._tag === 'unionAll' ? r._tag.replace('All', '') : r._tag}`
  return [own, ...children(r).flatMap(names)]
}

/** Whether the contract says every argument of the recipe is valid (so it must build without a throw). */
export const isValid = (r: Recipe): boolean => {
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
    case 'windowed':
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
    case 'resetAfter':
      return isDuration(r.x) && isValid(r.self)
    case 'maxRetries':
      return isCount(r.x) && isValid(r.self)
    default:
      return children(r).every(isValid)
  }
}

/** Whether an argument is out of the safe, non-negative integers (hostile somewhere, if not everywhere). */
export const isHostile = (u: unknown): boolean =>
  typeof u !== 'number' || !Number.isSafeInteger(u) || u < 0 || Object.is(u, -0) || u > MAX

/** Counts the hostile arguments a recipe passes. */
export const countHostile = (r: Recipe): number => {
  const own = ((): ReadonlyArray<unknown> => {
    switch (r._tag) {
      case 'recurs':
        return [r.n]
      case 'constant':
      case 'spaced':
      case 'fibonacci':
      case 'linear':
      case 'fixed':
      case 'windowed':
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
      case 'resetAfter':
        return [r.x]
      case 'make':
        return r.delays
      case 'addDelay':
      case 'modifyDelay':
        return r.values
      case 'withDelayHint':
        return r.hints.filter((h) => h !== undefined)
      default:
        return []
    }
  })()
  return (
    own.filter((u) => (Array.isArray(u) ? u.length !== 2 : isHostile(u))).length +
    children(r).reduce((sum, c) => sum + countHostile(c), 0)
  )
}

// -------------------------------------------------------------------------------------
// building
// -------------------------------------------------------------------------------------

/** A whole number from any value, the same for equal values: what a pure user function picks by. */
const indexOf = (u: unknown): number =>
  typeof u === 'number'
    ? Number.isFinite(u)
      ? Math.abs(Math.trunc(u))
      : 1
    : Array.isArray(u)
    ? u.reduce((sum: number, v) => sum + indexOf(v), 1)
    : u instanceof Date
    ? indexOf(u.getTime())
    : typeof u === 'string'
    ? u.length
    : u === true
    ? 1
    : 0

/** The value of `values` that `u` picks: the same `u` always picks the same one. */
const pick = <A>(values: ReadonlyArray<A>, u: unknown): A => values[indexOf(u) % values.length]

export type Any = S.Schedule<unknown, unknown>

// the modifiers that take one number, by tag
const ofOneNumber = {
  capDelay: S.capDelay,
  minDelay: S.minDelay,
  maxRetries: S.maxRetries,
  maxElapsed: S.maxElapsed,
  maxCumulativeDelay: S.maxCumulativeDelay,
  resetAfter: S.resetAfter
} as const

// the modifiers that take one predicate (of the input or of the output), by tag
const ofOnePredicate = {
  whileInput: S.whileInput,
  untilInput: S.untilInput,
  whileOutput: S.whileOutput,
  untilOutput: S.untilOutput,
  resetWhen: S.resetWhen
} as const

/** Builds the schedule a recipe describes; throws whatever the library throws. */
export const build = (r: Recipe): Any => {
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
    case 'windowed':
      return S.windowed(r.d)
    case 'exponential':
      return r.factor === undefined ? S.exponential(r.base) : S.exponential(r.base, r.factor)
    case 'fromDelays':
      return S.fromDelays(...r.delays)
    case 'decorrelatedJitter':
      return S.decorrelatedJitter({ base: r.base, cap: r.cap })
    case 'make': {
      // a hand-written schedule whose step may ask for garbage delays
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
    case 'passthrough':
      return pipe(build(r.self), S.passthrough)
    case 'jitteredWith': {
      const f = S.jitteredWith({ min: r.min, max: r.max })
      return f(build(r.self))
    }
    case 'addJitter': {
      const f = S.addJitter(r.range as number)
      return f(build(r.self))
    }
    case 'capDelay':
    case 'minDelay':
    case 'maxRetries':
    case 'maxElapsed':
    case 'maxCumulativeDelay':
    case 'resetAfter': {
      const f = ofOneNumber[r._tag](r.x)
      return f(build(r.self))
    }
    case 'addDelay': {
      const values = r.values
      return piped(build(r.self))(S.addDelay((out) => pick(values, out)))
    }
    case 'modifyDelay': {
      const values = r.values
      return pipe(
        build(r.self),
        S.modifyDelay((d: number, out) => {
          const v = pick(values, [d, out])
          // half the time a function of the delay (overflowing, negating), else the value itself
          return typeof v === 'number' && v > 10 ? d * v : typeof v === 'number' && v < 0 ? -d : v
        })
      )
    }
    case 'withDelayHint': {
      const hints = r.hints
      const fromInput = r.fromInput
      return pipe(
        build(r.self),
        S.withDelayHint((input: unknown) =>
          fromInput && typeof input === 'number' ? O.some(input) : O.fromNullable(pick(hints, input))
        )
      )
    }
    case 'whileInput':
    case 'untilInput':
    case 'whileOutput':
    case 'untilOutput':
    case 'resetWhen': {
      const answers = r.answers
      return piped(build(r.self))(ofOnePredicate[r._tag]((value: unknown) => pick(answers, value)))
    }
    case 'map':
      return piped(build(r.self))(S.map((out) => [out]))
    case 'as':
      return pipe(build(r.self), S.as('again'))
    case 'tapInput':
      return piped(build(r.self))(S.tapInput(() => () => undefined))
    case 'tapOutput':
      return piped(build(r.self))(S.tapOutput(() => () => undefined))
    case 'mapInput': {
      const offset = r.offset
      return piped(build(r.self))(
        S.mapInput((input: unknown) => (typeof input === 'number' ? (input + offset) % 101 : input))
      )
    }
    case 'promap': {
      const offset = r.offset
      return pipe(
        build(r.self),
        S.promap(
          (input: unknown) => (typeof input === 'number' ? (input * 7 + offset) % 101 : input),
          (out) => [offset, out]
        )
      )
    }
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

/**
 * Random recipes with valid arguments: every constructor, modifier, limit and combinator, nested.
 * (A property takes the recipe and builds it, so a counterexample shows what the schedule is made of.)
 */
export const validRecipe: fc.Arbitrary<Recipe> = recipe(validArguments)

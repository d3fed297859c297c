import * as fc from 'fast-check'
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import * as t from 'io-ts'
import { describe, expect, it } from 'vitest'
import * as Config from '../src/Config'
import * as S from '../src/Schedule'
import { piped } from './helpers'

// -------------------------------------------------------------------------------------
// helpers
// -------------------------------------------------------------------------------------

const problems = (result: E.Either<t.Errors, unknown>): ReadonlyArray<Config.ConfigProblem> =>
  E.isLeft(result) ? Config.toConfigError(result.left).problems : []

const configProblems = (u: unknown): ReadonlyArray<Config.ConfigProblem> =>
  pipe(
    Config.decode(u),
    E.match(
      (error) => error.problems,
      () => []
    )
  )

const grpcProblems = (u: unknown): ReadonlyArray<Config.ConfigProblem> =>
  pipe(
    Config.decodeGrpcRetryPolicy(u),
    E.match(
      (error) => error.problems,
      () => []
    )
  )

const paths = (ps: ReadonlyArray<Config.ConfigProblem>): ReadonlyArray<string> => ps.map((p) => p.path)

const decodeOrThrow = (u: unknown): S.Schedule<unknown, number> =>
  pipe(
    Config.decode(u),
    E.getOrElseW((error) => {
      throw new Error(error.message)
    })
  )

const delaysOf = (u: unknown, steps = 20, seed = 0): ReadonlyArray<number> =>
  pipe(decodeOrThrow(u), S.simulate({ steps, seed })).map((s) => s.delay)

const grpcExample = {
  maxAttempts: 4,
  initialBackoff: '.1s',
  maxBackoff: '1s',
  backoffMultiplier: 2,
  retryableStatusCodes: ['UNAVAILABLE']
}

// -------------------------------------------------------------------------------------
// arbitraries
// -------------------------------------------------------------------------------------

const durationJson: fc.Arbitrary<Config.DurationJson> = fc.oneof(
  fc.integer({ min: 0, max: 100_000 }),
  fc.integer({ min: 0, max: 100_000 }).map((n) => `${n}ms`),
  fc.integer({ min: 0, max: 600 }).map((n) => `${n}s`),
  fc.integer({ min: 0, max: 99 }).map((n) => `${n / 10}s`),
  fc.integer({ min: 0, max: 60 }).map((n) => `${n}m`),
  fc.integer({ min: 0, max: 2 }).map((n) => `${n}h`)
)

const durationPair = fc
  .tuple(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 0, max: 10_000 }))
  .map(([a, b]) => [Math.min(a, b), Math.max(a, b)] as const)

const baseJson: fc.Arbitrary<Config.ScheduleConfigJson> = fc.oneof(
  fc.constant({}),
  durationJson.map((d) => ({ constant: d })),
  durationJson.map((d) => ({ fibonacci: d })),
  durationJson.map((d) => ({ linear: d })),
  fc
    .record({ base: durationJson, factor: fc.double({ min: 1, max: 4, noNaN: true }) }, { requiredKeys: ['base'] })
    .map((exponential) => ({ exponential })),
  durationPair.map(([base, cap]) => ({ decorrelatedJitter: { base: `${base}ms`, cap } })),
  fc.array(durationJson, { maxLength: 8 }).map((fromDelays) => ({ fromDelays }))
)

const jitterJson: fc.Arbitrary<Config.JitterJson> = fc.oneof(
  fc.constantFrom('none' as const, 'default' as const, 'full' as const, 'equal' as const),
  fc
    .tuple(fc.double({ min: 0, max: 3, noNaN: true }), fc.double({ min: 0, max: 3, noNaN: true }))
    .map(([a, b]) => ({ min: Math.min(a, b), max: Math.max(a, b) })),
  durationJson.map((add) => ({ add })),
  durationPair.map(([min, max]) => ({ add: [`${min}ms`, max] as const }))
)

const configJson: fc.Arbitrary<Config.ScheduleConfigJson> = fc
  .tuple(
    baseJson,
    fc.record(
      {
        jitter: jitterJson,
        maxRetries: fc.integer({ min: 0, max: 10 }),
        maxElapsed: durationJson,
        maxCumulativeDelay: durationJson
      },
      { requiredKeys: [] }
    ),
    fc.option(durationPair, { nil: undefined }),
    fc.constantFrom('min', 'cap', 'both', 'neither')
  )
  .map(([base, rest, pair, which]) => ({
    ...base,
    ...rest,
    ...(pair !== undefined && (which === 'min' || which === 'both') ? { minDelay: pair[0] } : {}),
    ...(pair !== undefined && (which === 'cap' || which === 'both') ? { cap: `${pair[1]}ms` } : {})
  }))

// -------------------------------------------------------------------------------------
// Duration
// -------------------------------------------------------------------------------------

describe('Duration', () => {
  it('decodes numbers of milliseconds and strings with a unit', () => {
    const cases: ReadonlyArray<readonly [unknown, number]> = [
      [0, 0],
      [-0, 0],
      [250, 250],
      [0.5, 0.5],
      [1e300, 1e300],
      ['250ms', 250],
      ['0ms', 0],
      ['1.5s', 1500],
      ['.1s', 100],
      ['1.1s', 1100],
      ['0.7s', 700],
      ['5.s', 5000],
      ['2m', 120_000],
      ['1.5m', 90_000],
      ['1h', 3_600_000],
      ['0.5h', 1_800_000],
      ['0.001ms', 0.001]
    ]
    for (const [input, ms] of cases) {
      expect(Config.Duration.decode(input)).toEqual(E.right(ms))
    }
    expect(Object.is((Config.Duration.decode(-0) as E.Right<number>).right, 0)).toBe(true)
  })

  it('rejects unitless strings, showing the value and a valid example', () => {
    const [p] = problems(Config.Duration.decode('10'))
    expect(p.path).toBe('')
    expect(p.message).toContain('given "10"')
    expect(p.message).toContain('"10ms"')
    expect(problems(Config.Duration.decode('1234567890123'))[0].message).toContain('"250ms"')
  })

  it('rejects negative, NaN and infinite numbers with the value and an example', () => {
    for (const [input, shown] of [
      [-5, '-5'],
      [NaN, 'NaN'],
      [Infinity, 'Infinity'],
      [-Infinity, '-Infinity']
    ] as const) {
      const [p] = problems(Config.Duration.decode(input))
      expect(p.message).toContain(`given ${shown}`)
      expect(p.message).toContain('"250ms"')
    }
    expect(problems(Config.Duration.decode(-5))[0].message).toContain('0 or more')
    expect(problems(Config.Duration.decode(NaN))[0].message).toContain('finite')
  })

  it('rejects malformed strings and other types', () => {
    for (const input of [
      '',
      'abc',
      '-5ms',
      '1e3ms',
      '5sec',
      '5 ms',
      '5S',
      '1d',
      '.s',
      '1..5s',
      null,
      true,
      {},
      [],
      5n
    ]) {
      const ps = problems(Config.Duration.decode(input))
      expect(ps).toHaveLength(1)
      expect(ps[0].message).toMatch(/expected a duration/)
    }
  })

  it('suggests a fix for spacing and case, and explains compound units', () => {
    expect(problems(Config.Duration.decode('5 s'))[0].message).toContain('did you mean "5s"?')
    expect(problems(Config.Duration.decode('5S'))[0].message).toContain('did you mean "5s"?')
    expect(problems(Config.Duration.decode('1m30s'))[0].message).toContain('units cannot be combined')
    expect(problems(Config.Duration.decode('abc'))[0].message).not.toContain('did you mean')
  })

  it('rejects strings too large to be a finite number of milliseconds', () => {
    const [p] = problems(Config.Duration.decode(`${'9'.repeat(400)}h`))
    expect(p.message).toContain('finite')
    expect(p.message.length).toBeLessThan(200)
  })

  it('encodes to the canonical form: the largest unit in which the duration is whole', () => {
    const cases: ReadonlyArray<readonly [number, Config.DurationJson]> = [
      [0, '0ms'],
      [1, '1ms'],
      [250, '250ms'],
      [1000, '1s'],
      [1500, '1500ms'],
      [30_000, '30s'],
      [60_000, '1m'],
      [90_000, '90s'],
      [3_600_000, '1h'],
      [5_400_000, '90m'],
      [0.5, '0.5ms'],
      [1e-7, 1e-7],
      [1e300, 1e300]
    ]
    for (const [ms, json] of cases) {
      expect(Config.Duration.encode(ms)).toBe(json)
    }
  })

  it('is: accepts only decoded durations', () => {
    expect(Config.Duration.is(250)).toBe(true)
    expect(Config.Duration.is(0)).toBe(true)
    expect(Config.Duration.is('250ms')).toBe(false)
    expect(Config.Duration.is(-1)).toBe(false)
    expect(Config.Duration.is(NaN)).toBe(false)
  })

  it('property: decode after encode gives back every finite non-negative number', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, noNaN: true, noDefaultInfinity: true }), (ms) => {
        expect(Config.Duration.decode(Config.Duration.encode(ms))).toEqual(E.right(ms === 0 ? 0 : ms))
      }),
      { numRuns: 2000 }
    )
  })

  it('property: encode after decode gives back canonical strings', () => {
    fc.assert(
      fc.property(fc.oneof(fc.nat(), fc.double({ min: 0, max: 1e9, noNaN: true })), (ms) => {
        const canonical = Config.Duration.encode(ms)
        expect(pipe(Config.Duration.decode(canonical), E.map(Config.Duration.encode))).toEqual(E.right(canonical))
      }),
      { numRuns: 2000 }
    )
  })

  it('property: every string of the grammar decodes exactly, and re-encodes to an equivalent duration', () => {
    const amount = fc.oneof(
      fc
        .tuple(fc.stringMatching(/^\d{1,9}$/), fc.option(fc.stringMatching(/^\d{0,6}$/), { nil: undefined }))
        .map(([whole, fraction]) => (fraction === undefined ? whole : `${whole}.${fraction}`)),
      fc.stringMatching(/^\d{1,6}$/).map((fraction) => `.${fraction}`)
    )
    const sizes: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }
    fc.assert(
      fc.property(amount, fc.constantFrom('ms', 's', 'm', 'h'), (text, unit) => {
        const decoded = Config.Duration.decode(`${text}${unit}`)
        expect(E.isRight(decoded)).toBe(true)
        const ms = (decoded as E.Right<number>).right
        expect(ms).toBeGreaterThanOrEqual(0)
        expect(Math.abs(ms - Number(text) * sizes[unit])).toBeLessThanOrEqual(1e-9 * Math.max(1, ms))
        expect(Config.Duration.decode(Config.Duration.encode(ms))).toEqual(E.right(ms))
      }),
      { numRuns: 2000 }
    )
  })

  it('decodes whole amounts of every unit exactly', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 0, max: 999 }), (whole, fraction) => {
        expect(Config.Duration.decode(`${whole}.${String(fraction).padStart(3, '0')}s`)).toEqual(
          E.right(whole * 1000 + fraction)
        )
        expect(Config.Duration.decode(`${whole}m`)).toEqual(E.right(whole * 60_000))
      })
    )
  })
})

// -------------------------------------------------------------------------------------
// ScheduleConfig: valid policies
// -------------------------------------------------------------------------------------

describe('ScheduleConfig: valid policies', () => {
  it('decodes the example of the design', () => {
    expect(
      Config.ScheduleConfig.decode({
        exponential: { base: '100ms', factor: 2 },
        jitter: 'full',
        cap: '10s',
        maxRetries: 5,
        maxElapsed: '30s'
      })
    ).toEqual(
      E.right({ exponential: { base: 100, factor: 2 }, jitter: 'full', cap: 10_000, maxRetries: 5, maxElapsed: 30_000 })
    )
  })

  it('builds every base schedule', () => {
    expect(delaysOf({ constant: '250ms', maxRetries: 3 })).toEqual([250, 250, 250])
    expect(delaysOf({ exponential: { base: '100ms' }, maxRetries: 4 })).toEqual([100, 200, 400, 800])
    expect(delaysOf({ exponential: { base: 100, factor: 3 }, maxRetries: 3 })).toEqual([100, 300, 900])
    expect(delaysOf({ exponential: { base: 100, factor: 1 }, maxRetries: 3 })).toEqual([100, 100, 100])
    expect(delaysOf({ fibonacci: '100ms', maxRetries: 5 })).toEqual([100, 100, 200, 300, 500])
    expect(delaysOf({ linear: '1s', maxRetries: 3 })).toEqual([1000, 2000, 3000])
    expect(delaysOf({ fromDelays: ['10ms', '1s', 5] })).toEqual([10, 1000, 5])
    expect(delaysOf({ fromDelays: [] })).toEqual([])
    const decorrelated = delaysOf({ decorrelatedJitter: { base: '100ms', cap: '1s' }, maxRetries: 50 }, 100)
    expect(decorrelated).toHaveLength(50)
    expect(decorrelated.every((d) => d >= 100 && d <= 1000)).toBe(true)
  })

  it('without a base, recurs forever with zero delays', () => {
    expect(delaysOf({}, 50)).toEqual(Array(50).fill(0))
    expect(delaysOf({ maxRetries: 2 })).toEqual([0, 0])
  })

  it('applies every jitter kind', () => {
    const within = (jitter: unknown, low: number, high: number) => {
      const delays = delaysOf({ constant: 1000, jitter, maxRetries: 200 }, 300)
      expect(delays).toHaveLength(200)
      expect(delays.every((d) => d >= low && d <= high)).toBe(true)
      return delays
    }
    expect(within('none', 1000, 1000)).toEqual(Array(200).fill(1000))
    expect(new Set(within('default', 800, 1200)).size).toBeGreaterThan(100)
    within('full', 0, 1000)
    within('equal', 500, 1000)
    within({ min: 0.25, max: 0.5 }, 250, 500)
    within({ add: '100ms' }, 1000, 1100)
    within({ add: ['10ms', '50ms'] }, 1010, 1050)
    within({ add: [0, 0] }, 1000, 1000)
  })

  it('output is the delay', () => {
    const steps = pipe(
      decodeOrThrow({ constant: 100, jitter: 'full', maxRetries: 5 }),
      S.simulate({ steps: 10, seed: 3 })
    )
    expect(steps.map((s) => s.output)).toEqual(steps.map((s) => s.delay))
    expect(pipe(decodeOrThrow({ maxRetries: 3 }), S.simulate({ steps: 10 })).map((s) => s.output)).toEqual([0, 0, 0])
  })

  it('applies limits', () => {
    expect(delaysOf({ constant: 300, maxCumulativeDelay: '1s' })).toEqual([300, 300, 300])
    expect(delaysOf({ exponential: { base: 100 }, maxElapsed: '1s' })).toEqual([100, 200, 400])
    expect(delaysOf({ constant: 100, maxRetries: 0 })).toEqual([])
  })

  it('accepts objects without a prototype and keys whose value is undefined', () => {
    const json = Object.assign(Object.create(null), { constant: '1s', maxRetries: 1, cap: undefined })
    expect(delaysOf(json)).toEqual([1000])
  })

  it('decoding the same config twice gives the same simulation for the same seed', () => {
    fc.assert(
      fc.property(configJson, fc.integer({ min: 0, max: 1_000_000 }), (json, seed) => {
        const a = pipe(decodeOrThrow(json), S.simulate({ steps: 30, seed }))
        const b = pipe(decodeOrThrow(JSON.parse(JSON.stringify(json))), S.simulate({ steps: 30, seed }))
        expect(b).toEqual(a)
      }),
      { numRuns: 300 }
    )
  })

  it('property: every valid policy decodes, and toSchedule never throws on what decode returns', () => {
    fc.assert(
      fc.property(configJson, (json) => {
        const decoded = Config.ScheduleConfig.decode(json)
        expect(problems(decoded)).toEqual([])
        const config = (decoded as E.Right<Config.ScheduleConfig>).right
        expect(Config.ScheduleConfig.is(config)).toBe(true)
        const steps = pipe(Config.toSchedule(config), S.simulate({ steps: 20 }))
        expect(steps.every((s) => s.delay >= 0 && Number.isFinite(s.delay))).toBe(true)
      }),
      { numRuns: 500 }
    )
  })
})

// -------------------------------------------------------------------------------------
// ScheduleConfig: order of application
// -------------------------------------------------------------------------------------

describe('ScheduleConfig: order (base, jitter, minDelay, cap, maxRetries, maxElapsed, maxCumulativeDelay)', () => {
  it('applies cap after jitter, so it is a hard bound', () => {
    // cap before jitter would give delays of 2000 to 3000
    expect(delaysOf({ constant: 1000, jitter: { min: 2, max: 3 }, cap: 1500, maxRetries: 20 })).toEqual(
      Array(20).fill(1500)
    )
  })

  it('applies minDelay after jitter', () => {
    // minDelay before jitter would give delays below 50
    const delays = delaysOf({ constant: 100, jitter: { min: 0, max: 0.5 }, minDelay: 80, maxRetries: 50 }, 60)
    expect(delays.every((d) => d >= 80 && d <= 80)).toBe(true)
  })

  it('applies minDelay and cap together', () => {
    expect(delaysOf({ fromDelays: [10, 500, 2000], minDelay: '100ms', cap: '1s' })).toEqual([100, 500, 1000])
    expect(delaysOf({ constant: 5, minDelay: 7, cap: 7, maxRetries: 1 })).toEqual([7])
  })

  it('checks maxCumulativeDelay against the capped delays', () => {
    // capped: 100 + 200 + 300 + 300 = 900; uncapped it would stop after 100 + 200 + 400
    expect(delaysOf({ exponential: { base: 100 }, cap: 300, maxCumulativeDelay: 1000 })).toEqual([100, 200, 300, 300])
  })

  it('checks maxElapsed against the jittered delays', () => {
    // jittered to 500 each: 500, 1000, 1500 <= 1600; unjittered, 1000 then 2000 > 1600
    expect(delaysOf({ constant: 1000, jitter: { min: 0.5, max: 0.5 }, maxElapsed: 1600 })).toEqual([500, 500, 500])
  })

  it('combines maxRetries with the time limits: the first to end wins', () => {
    expect(delaysOf({ constant: 100, maxRetries: 2, maxElapsed: '1s' })).toEqual([100, 100])
    expect(delaysOf({ constant: 400, maxRetries: 5, maxElapsed: '1s' })).toEqual([400, 400])
    expect(delaysOf({ constant: 400, maxRetries: 5, maxCumulativeDelay: '500ms' })).toEqual([400])
  })
})

// -------------------------------------------------------------------------------------
// ScheduleConfig: invalid policies
// -------------------------------------------------------------------------------------

describe('ScheduleConfig: invalid policies', () => {
  it('reports a maxRetires typo with its path and the closest known key', () => {
    const result = Config.decode({ exponential: { base: '100ms' }, maxRetires: 5 })
    expect(E.isLeft(result)).toBe(true)
    const error = (result as E.Left<Config.ConfigError>).left
    expect(error.problems).toEqual([{ path: 'maxRetires', message: 'unknown key; did you mean "maxRetries"?' }])
    expect(error.message).toBe('maxRetires: unknown key; did you mean "maxRetries"?')
  })

  it('suggests known keys ignoring case, nested too, and lists them when nothing is close', () => {
    expect(configProblems({ MaxRetries: 1 })[0].message).toContain('"maxRetries"')
    expect(configProblems({ exponential: { bse: 100 } })).toEqual([
      { path: 'exponential.bse', message: 'unknown key; did you mean "base"?' },
      { path: 'exponential.base', message: 'missing; expected a duration such as "100ms"' }
    ])
    const [p] = configProblems({ retry: 1 })
    expect(p.path).toBe('retry')
    expect(p.message).toContain('the known keys are constant, exponential')
    expect(configProblems({ ['x'.repeat(100)]: 1 })[0].message).toContain('the known keys are')
  })

  it('rejects two bases', () => {
    const ps = configProblems({ exponential: { base: '100ms' }, constant: '1s' })
    expect(ps).toHaveLength(1)
    expect(ps[0].path).toBe('exponential')
    expect(ps[0].message).toContain('conflicts with "constant"')
    expect(paths(configProblems({ constant: 1, linear: 2, fromDelays: [] }))).toEqual(['linear', 'fromDelays'])
  })

  it('reports every problem at once, one per line in the message', () => {
    const result = Config.decode({
      exponential: { base: '10', factor: 0.5 },
      jitter: 'fulll',
      cap: -1,
      maxRetries: 2.5,
      maxElapsed: 'soon',
      maxCumulativeDelay: Infinity,
      fromDelays: ['1s', 'x'],
      extra: true
    })
    const error = (result as E.Left<Config.ConfigError>).left
    expect(paths(error.problems)).toEqual([
      'extra',
      'exponential.base',
      'exponential.factor',
      'fromDelays[1]',
      'jitter',
      'cap',
      'maxRetries',
      'maxElapsed',
      'maxCumulativeDelay',
      'fromDelays'
    ])
    expect(error.message.split('\n')).toHaveLength(error.problems.length)
    expect(error.message.split('\n')[1]).toBe(`exponential.base: ${error.problems[1].message}`)
    expect(error.problems[2].message).toContain('given 0.5')
    expect(error.problems[4].message).toContain('did you mean "full"?')
    expect(error.problems[6].message).toContain('given 2.5')
  })

  it('rejects a root that is not a plain object', () => {
    for (const input of [42, 'x', null, undefined, [1], new Date(0), new Map(), () => 1]) {
      const ps = configProblems(input)
      expect(ps).toHaveLength(1)
      expect(ps[0].path).toBe('')
      expect(ps[0].message).toContain('expected a schedule policy object')
    }
    expect((Config.decode(null) as E.Left<Config.ConfigError>).left.message).toMatch(/^\(root\): expected/)
    expect(configProblems(new Date(0))[0].message).toContain('a Date object')
  })

  it('validates exponential', () => {
    expect(configProblems({ exponential: '100ms' })[0].message).toContain('(write {"base": "100ms"})')
    expect(configProblems({ exponential: 7 })[0].message).toContain('(write {"base": 7})')
    expect(configProblems({ exponential: true })[0].message).not.toContain('write')
    expect(configProblems({ exponential: {} })).toEqual([
      { path: 'exponential.base', message: 'missing; expected a duration such as "100ms"' }
    ])
    for (const factor of [0.5, 0, -2, NaN, Infinity, '2']) {
      expect(paths(configProblems({ exponential: { base: 1, factor } }))).toEqual(['exponential.factor'])
    }
  })

  it('validates decorrelatedJitter', () => {
    expect(configProblems({ decorrelatedJitter: { base: '1s', cap: '10ms' } })).toEqual([
      { path: 'decorrelatedJitter.cap', message: 'expected at least base ("1s"); given "10ms"' }
    ])
    expect(paths(configProblems({ decorrelatedJitter: {} }))).toEqual([
      'decorrelatedJitter.base',
      'decorrelatedJitter.cap'
    ])
    expect(paths(configProblems({ decorrelatedJitter: [] }))).toEqual(['decorrelatedJitter'])
    expect(paths(configProblems({ decorrelatedJitter: { base: -1, cap: 5 } }))).toEqual(['decorrelatedJitter.base'])
  })

  it('validates fromDelays', () => {
    expect(paths(configProblems({ fromDelays: '1s' }))).toEqual(['fromDelays'])
    expect(paths(configProblems({ fromDelays: [1, -1, 'x', 2] }))).toEqual(['fromDelays[1]', 'fromDelays[2]'])
    expect(configProblems({ fromDelays: Array(1001).fill(1) })[0].message).toContain('at most 1000 items')
  })

  it('validates jitter', () => {
    expect(configProblems({ jitter: 'random' })[0].message).toContain('given "random"')
    expect(configProblems({ jitter: 5 })[0].message).toContain('"none", "default", "full", "equal"')
    expect(configProblems({ jitter: { min: 2, max: 1 } })).toEqual([
      { path: 'jitter', message: 'expected min <= max; given min 2 and max 1' }
    ])
    expect(paths(configProblems({ jitter: {} }))).toEqual(['jitter.min', 'jitter.max'])
    expect(paths(configProblems({ jitter: { min: -1, max: Infinity } }))).toEqual(['jitter.min', 'jitter.max'])
    expect(paths(configProblems({ jitter: { ad: '10ms' } }))).toEqual(['jitter.ad', 'jitter.min', 'jitter.max'])
    expect(configProblems({ jitter: { ad: '10ms' } })[0].message).toContain('did you mean "add"?')
    expect(configProblems({ jitter: { add: 5, min: 1 } })[0].message).toContain('not both')
    expect(paths(configProblems({ jitter: { add: -5 } }))).toEqual(['jitter.add'])
    expect(paths(configProblems({ jitter: { add: true } }))).toEqual(['jitter.add'])
    expect(configProblems({ jitter: { add: ['1ms'] } })[0].message).toContain('a pair of durations [min, max]')
    expect(paths(configProblems({ jitter: { add: ['1ms', 'x'] } }))).toEqual(['jitter.add[1]'])
    expect(configProblems({ jitter: { add: ['50ms', '10ms'] } })).toEqual([
      { path: 'jitter.add', message: 'expected a pair [min, max] with min <= max; given ["50ms", "10ms"]' }
    ])
  })

  it('validates counts and durations of the modifiers and limits', () => {
    for (const maxRetries of [-1, 2.5, NaN, 1e300, '5', null]) {
      expect(paths(configProblems({ maxRetries }))).toEqual(['maxRetries'])
    }
    for (const key of ['constant', 'fibonacci', 'linear', 'minDelay', 'cap', 'maxElapsed', 'maxCumulativeDelay']) {
      expect(paths(configProblems({ [key]: '10' }))).toEqual([key])
    }
  })

  it('rejects minDelay above cap, since cap would silently win', () => {
    expect(configProblems({ minDelay: '1s', cap: '100ms' })).toEqual([
      { path: 'cap', message: 'expected at least minDelay ("1s"), since cap is applied after it; given "100ms"' }
    ])
  })
})

// -------------------------------------------------------------------------------------
// ScheduleConfig: hostile input
// -------------------------------------------------------------------------------------

describe('decode never throws', () => {
  it('on random JSON and random values', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.anything({ withBigInt: true, withDate: true, withMap: true })), (u) => {
        const result = Config.decode(u)
        expect(E.isLeft(result) || E.isRight(result)).toBe(true)
        if (E.isLeft(result)) {
          expect(result.left.problems.length).toBeGreaterThan(0)
          expect(typeof result.left.message).toBe('string')
        }
        expect(() => Config.decodeGrpcRetryPolicy(u)).not.toThrow()
      }),
      { numRuns: 1000 }
    )
  })

  it('on random objects with known keys', () => {
    const key = fc.constantFrom('constant', 'exponential', 'jitter', 'fromDelays', 'cap', 'maxRetries', 'base', 'add')
    const leaf = fc.oneof(fc.anything({ maxDepth: 1 }), durationJson)
    const inner = fc.oneof(leaf, fc.dictionary(key, leaf, { maxKeys: 4 }), fc.array(leaf, { maxLength: 3 }))
    const value = fc.oneof(inner, fc.dictionary(key, inner, { maxKeys: 4 }), fc.array(inner, { maxLength: 3 }))
    fc.assert(
      fc.property(fc.dictionary(key, value), (u) => {
        expect(() => Config.decode(u)).not.toThrow()
      }),
      { numRuns: 1000 }
    )
  })

  it('on cyclic objects', () => {
    const cyclic: Record<string, unknown> = { jitter: {} }
    ;(cyclic.jitter as Record<string, unknown>).self = cyclic
    cyclic.exponential = cyclic
    cyclic.fromDelays = [cyclic]
    const ps = configProblems(cyclic)
    expect(ps.length).toBeGreaterThan(0)
    expect(paths(ps)).toContain('jitter.self')
    expect(paths(ps)).toContain('fromDelays[0]')
  })

  it('on getters and proxies that throw', () => {
    const getter = Object.defineProperty({ constant: 1 }, 'cap', {
      enumerable: true,
      get: () => {
        throw new Error('boom')
      }
    })
    expect(configProblems(getter)).toEqual([{ path: 'cap', message: 'could not be read: boom' }])
    const throwsString = Object.defineProperty({}, 'cap', {
      enumerable: true,
      get: () => {
        throw 'plain'
      }
    })
    expect(configProblems(throwsString)[0].message).toBe('could not be read: plain')
    const unprintable = Object.defineProperty({}, 'cap', {
      enumerable: true,
      get: () => {
        throw {
          toString: () => {
            throw new Error('again')
          }
        }
      }
    })
    expect(configProblems(unprintable)[0].message).toBe('could not be read: an unprintable exception')
    const trap = new Proxy(
      {},
      {
        ownKeys: () => {
          throw new Error('trap')
        }
      }
    )
    expect(configProblems(trap)).toEqual([{ path: '', message: 'could not be read: trap' }])
    expect(configProblems({ exponential: trap })).toEqual([{ path: 'exponential', message: 'could not be read: trap' }])
    const { proxy, revoke } = Proxy.revocable({}, {})
    revoke()
    expect(configProblems(proxy)[0].message).toContain('could not be read')
    expect(configProblems({ cap: proxy })[0].message).toContain('given an unreadable value')
    expect(configProblems({ fromDelays: [proxy] })[0].path).toBe('fromDelays[0]')
    const items = new Proxy([1, 2], {
      get: (target, key) => {
        if (key === '1') {
          throw new Error('item')
        }
        return Reflect.get(target, key)
      }
    })
    expect(configProblems({ fromDelays: items })).toEqual([{ path: 'fromDelays', message: 'could not be read: item' }])
  })

  it('on huge and sparse arrays and huge numbers', () => {
    const sparse: Array<unknown> = []
    sparse.length = 1e9
    expect(configProblems({ fromDelays: sparse })[0].message).toContain('given an array of 1000000000')
    expect(paths(configProblems({ maxRetries: Number.MAX_VALUE, constant: Number.MAX_VALUE }))).toEqual(['maxRetries'])
    const huge = delaysOf({ constant: Number.MAX_VALUE, maxRetries: 2 })
    expect(huge).toEqual([Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER])
    expect(configProblems({ constant: `${'1'.repeat(100_000)}ms` })[0].message).toContain('finite')
  })

  it('on prototype-polluting keys, which are reported as unknown and never applied', () => {
    const json = JSON.parse('{"__proto__": {"maxRetries": 1}, "constructor": {"prototype": {"cap": 1}}}')
    expect(paths(configProblems(json))).toEqual(['__proto__', 'constructor'])
    expect(({} as Record<string, unknown>).maxRetries).toBeUndefined()
    expect(({} as Record<string, unknown>).cap).toBeUndefined()
  })

  it('ignores a polluted Object.prototype', () => {
    const proto = Object.prototype as unknown as Record<string, unknown>
    const keys = ['maxRetries', 'cap', 'factor', 'add', 'jitter', 'minDelay']
    try {
      for (const key of keys) {
        Object.defineProperty(Object.prototype, key, { value: 1, configurable: true, writable: true })
      }
      expect(proto.maxRetries).toBe(1)
      expect(delaysOf({ exponential: { base: 100 }, maxElapsed: 1000 })).toEqual([100, 200, 400])
      expect(delaysOf({ constant: 10, jitter: { min: 1, max: 1 }, maxRetries: 2 })).toEqual([10, 10])
      expect(Config.encode({ exponential: { base: 100 }, jitter: { min: 1, max: 1 } })).toEqual({
        exponential: { base: '100ms' },
        jitter: { min: 1, max: 1 }
      })
      expect(configProblems({ minDelay: 5 })).toEqual([])
    } finally {
      for (const key of keys) {
        delete proto[key]
      }
    }
    expect(proto.maxRetries).toBeUndefined()
  })

  it('shows values of every type in messages, briefly', () => {
    const message = (value: unknown) => configProblems({ cap: value })[0].message
    expect(message(5n)).toContain('given 5n')
    expect(message(Symbol('s'))).toContain('given a symbol')
    expect(message(() => 1)).toContain('given a function')
    expect(message(null)).toContain('given null')
    expect(message(true)).toContain('given true')
    expect(message([])).toContain('given []')
    expect(message([1, 'a', [2], {}, 5])).toContain('given [1, "a", […], …]')
    expect(message([[]])).toContain('given [[]]')
    expect(message({})).toContain('given {}')
    expect(message({ a: { b: 1 }, c: {}, d: 1, e: 2 })).toContain('given {"a": {…}, "c": {}, "d": 1, …}')
    expect(message('x'.repeat(1000))).toContain(`given "${'x'.repeat(40)}…"`)
    expect(message(new Map())).toContain('given a Map object')
    expect(configProblems({ exponential: { base: 1, factor: -0 } })[0].message).toContain('given -0')
  })
})

// -------------------------------------------------------------------------------------
// hostile input: the work and the message are bounded, every problem is counted
// -------------------------------------------------------------------------------------

describe('hostile input', () => {
  const manyKeys = (n: number): Record<string, number> => {
    const u: Record<string, number> = {}
    for (let i = 0; i < n; i++) {
      u[`key${i}`] = i
    }
    return u
  }

  it('100,000 unknown keys: every problem counted, a message of 100 of them and a count of the rest', () => {
    const result = Config.decode({ ...manyKeys(100_000), constant: '1s' })
    expect(E.isLeft(result)).toBe(true)
    const { problems: ps, message } = (result as E.Left<Config.ConfigError>).left
    expect(ps).toHaveLength(100_000)
    expect(ps[99_999]).toEqual({ path: 'key99999', message: expect.stringMatching(/^unknown key; the known keys are/) })
    const lines = message.split('\n')
    expect(lines).toHaveLength(101)
    expect(lines[0]).toBe(`key0: ${ps[0].message}`)
    expect(lines[100]).toBe('and 99900 more')
    expect(message.length).toBeLessThan(20_000)
  })

  it('the closest known key is looked for among the first 100 unknown keys of an object only', () => {
    const ps = configProblems({ ...manyKeys(200), maxRetires: 1 })
    expect(ps).toHaveLength(201)
    expect(ps[200].path).toBe('maxRetires')
    expect(ps[200].message).toContain('the known keys are')
    expect(configProblems({ maxRetires: 1, ...manyKeys(200) })[0].message).toBe(
      'unknown key; did you mean "maxRetries"?'
    )
  })

  it('a key of a million characters is cut in the path and the message', () => {
    const key = 'x'.repeat(1_000_000)
    const result = Config.decode({ [key]: 1, [`${key}!`]: 2 })
    const { problems: ps, message } = (result as E.Left<Config.ConfigError>).left
    expect(ps.map((p) => p.path)).toEqual([`["${'x'.repeat(100)}…"]`, `["${'x'.repeat(100)}…"]`])
    expect(message.length).toBeLessThan(1000)
    expect(configProblems({ exponential: { [key]: 1, base: 1 } })[0].path).toBe(`exponential["${'x'.repeat(100)}…"]`)
  })

  it('nested objects and gRPC policies are bounded the same way', () => {
    const nested = (Config.decode({ jitter: manyKeys(5000) }) as E.Left<Config.ConfigError>).left
    expect(nested.problems.length).toBe(5002) // the unknown keys, then min and max missing
    expect(nested.message.split('\n')).toHaveLength(101)
    const grpc = Config.decodeGrpcRetryPolicy({ ...grpcExample, ...manyKeys(5000) })
    expect(E.isLeft(grpc) && grpc.left.message.split('\n').pop()).toBe('and 4900 more')
    const hedging = Config.decodeGrpcHedgingPolicy({ maxAttempts: 2, ...manyKeys(5000) })
    expect(E.isLeft(hedging) && hedging.left.problems.length).toBe(5000)
  })

  it("toSchedule's RangeError lists at most 100 problems too", () => {
    const config = { ...manyKeys(10_000), constant: 5 } as unknown as Config.ScheduleConfig
    expect(() => Config.toSchedule(config)).toThrow(/; and 9900 more$/)
    try {
      Config.toSchedule(config)
    } catch (error) {
      expect((error as RangeError).message.match(/key\d+: unknown key/g)).toHaveLength(100)
    }
  })
})

// -------------------------------------------------------------------------------------
// encode
// -------------------------------------------------------------------------------------

describe('encode', () => {
  const roundTrip = (json: unknown) => pipe(Config.ScheduleConfig.decode(json), E.map(Config.encode))

  it('gives back canonical inputs', () => {
    const canonical: ReadonlyArray<Config.ScheduleConfigJson> = [
      {},
      { constant: '250ms', maxRetries: 3 },
      { exponential: { base: '100ms' }, jitter: 'full', cap: '10s', maxRetries: 5, maxElapsed: '30s' },
      { exponential: { base: '1s', factor: 1.5 }, jitter: 'default', minDelay: '50ms', maxCumulativeDelay: '2m' },
      { fibonacci: '10ms', jitter: 'equal' },
      { linear: '1h', jitter: 'none' },
      { decorrelatedJitter: { base: '100ms', cap: '20s' } },
      { fromDelays: ['0ms', '1500ms', '1m'], jitter: { min: 0.5, max: 1.5 } },
      { constant: '1s', jitter: { add: '100ms' } },
      { constant: '1s', jitter: { add: ['10ms', '0.5ms'] } }
    ]
    for (const json of canonical.slice(0, -1)) {
      expect(roundTrip(json)).toEqual(E.right(json))
    }
    // min > max is invalid, so the last one is not a policy
    expect(E.isLeft(roundTrip(canonical[canonical.length - 1]))).toBe(true)
    expect(roundTrip({ constant: '1s', jitter: { add: ['0.5ms', '10ms'] } })).toEqual(
      E.right({ constant: '1s', jitter: { add: ['0.5ms', '10ms'] } })
    )
  })

  it('writes other inputs in canonical form', () => {
    expect(roundTrip({ exponential: { base: '.1s', factor: 2 }, cap: 30000, maxElapsed: '0.5m' })).toEqual(
      E.right({ exponential: { base: '100ms', factor: 2 }, cap: '30s', maxElapsed: '30s' })
    )
  })

  it('property: decode after encode gives back the decoded config', () => {
    fc.assert(
      fc.property(configJson, (json) => {
        const decoded = Config.ScheduleConfig.decode(json)
        expect(pipe(decoded, E.map(Config.encode), E.chain(Config.ScheduleConfig.decode))).toEqual(decoded)
        const encoded = (pipe(decoded, E.map(Config.encode)) as E.Right<Config.ScheduleConfigJson>).right
        expect(roundTrip(encoded)).toEqual(E.right(encoded))
      }),
      { numRuns: 500 }
    )
  })

  it('is the codec encode', () => {
    expect(Config.ScheduleConfig.encode({ constant: 60_000 })).toEqual({ constant: '1m' })
  })
})

// -------------------------------------------------------------------------------------
// toSchedule and is
// -------------------------------------------------------------------------------------

describe('toSchedule', () => {
  it('throws a RangeError naming the function on an invalid config', () => {
    expect(() => Config.toSchedule({ constant: 1, linear: 2 })).toThrow(RangeError)
    expect(() => Config.toSchedule({ constant: 1, linear: 2 })).toThrow(/^Config\.toSchedule: invalid config: linear:/)
    expect(() => Config.toSchedule({ exponential: { base: 1, factor: 0.5 } })).toThrow(/exponential\.factor/)
    expect(() => Config.toSchedule({ constant: -1 })).toThrow(RangeError)
    expect(() => Config.toSchedule(null as unknown as Config.ScheduleConfig)).toThrow(
      /^Config\.toSchedule: invalid config: expected a schedule policy object/
    )
    expect(() => Config.toSchedule({ constant: '1s' } as unknown as Config.ScheduleConfig)).toThrow(
      /decode the JSON first/
    )
  })

  it('is accepts only the decoded form', () => {
    expect(Config.ScheduleConfig.is({ constant: 5, jitter: { add: [1, 2] } })).toBe(true)
    expect(Config.ScheduleConfig.is({ constant: '5ms' })).toBe(false)
    expect(Config.ScheduleConfig.is({ constant: 5, linear: 5 })).toBe(false)
    expect(Config.ScheduleConfig.is({ jitter: { add: ['1ms', 2] } })).toBe(false)
    expect(Config.ScheduleConfig.is('x')).toBe(false)
  })
})

// -------------------------------------------------------------------------------------
// toConfigError
// -------------------------------------------------------------------------------------

describe('toConfigError', () => {
  it('gives paths from the root of an enclosing codec', () => {
    const AppConfig = t.type({ name: t.string, retry: Config.ScheduleConfig, list: t.array(Config.Duration) })
    const error = pipe(
      AppConfig.decode({ name: 5, retry: { exponential: { base: '10' } }, list: [1, 'x'] }),
      E.mapLeft(Config.toConfigError)
    )
    expect(E.isLeft(error)).toBe(true)
    const { problems: ps, message } = (error as E.Left<Config.ConfigError>).left
    expect(ps[0]).toEqual({ path: 'name', message: 'expected string; given 5' })
    expect(ps[1].path).toBe('retry.exponential.base')
    expect(ps[2].path).toBe('list[1]')
    expect(message.split('\n')[0]).toBe('name: expected string; given 5')
  })

  it('skips the member indexes of unions and intersections, and quotes odd keys', () => {
    const Union = t.union([t.type({ retry: Config.ScheduleConfig }), t.type({ grpc: Config.GrpcRetryPolicy })])
    const ps = problems(Union.decode({ retry: { cap: 'x' } }))
    expect(paths(ps)).toEqual(['retry.cap', 'grpc'])
    expect(ps[1].message).toMatch(/^expected a gRPC retryPolicy object such as .*; given nothing$/)
    const Both = t.intersection([t.type({ a: t.string }), t.type({ b: t.number })])
    expect(paths(problems(Both.decode({ a: 1, b: 'x' })))).toEqual(['a', 'b'])
    expect(paths(configProblems({ 'max retries': 1, '': 2, 'a.b': 3 }))).toEqual(['["max retries"]', '[""]', '["a.b"]'])
    const Nested = t.type({ 'odd key': t.type({ x: t.number }) })
    expect(paths(problems(Nested.decode({ 'odd key': { x: 's' } })))).toEqual(['["odd key"].x'])
  })

  it('copes with errors without context', () => {
    expect(Config.toConfigError([{ value: 1, context: [] }])).toEqual({
      message: '(root): expected a valid value; given 1',
      problems: [{ path: '', message: 'expected a valid value; given 1' }]
    })
  })
})

// -------------------------------------------------------------------------------------
// gRPC
// -------------------------------------------------------------------------------------

describe('GrpcRetryPolicy', () => {
  it('decodes the example of gRPC retry design', () => {
    expect(Config.GrpcRetryPolicy.decode(grpcExample)).toEqual(
      E.right({
        maxAttempts: 4,
        initialBackoff: 100,
        maxBackoff: 1000,
        backoffMultiplier: 2,
        retryableStatusCodes: ['UNAVAILABLE']
      })
    )
  })

  it('the example allows 3 retries, waiting U(0, 100), U(0, 200), U(0, 400) ms', () => {
    const { schedule } = pipe(
      Config.decodeGrpcRetryPolicy(grpcExample),
      E.getOrElseW((e) => {
        throw new Error(e.message)
      })
    )
    const bounds = [100, 200, 400]
    const maxima = [0, 0, 0]
    const minima = [Infinity, Infinity, Infinity]
    for (let seed = 0; seed < 500; seed++) {
      const delays = pipe(schedule, S.simulate({ steps: 10, seed })).map((s) => s.delay)
      expect(delays).toHaveLength(3)
      delays.forEach((d, i) => {
        expect(d).toBeGreaterThanOrEqual(0)
        expect(d).toBeLessThan(bounds[i])
        maxima[i] = Math.max(maxima[i], d)
        minima[i] = Math.min(minima[i], d)
      })
    }
    bounds.forEach((b, i) => {
      expect(maxima[i]).toBeGreaterThan(0.95 * b)
      expect(minima[i]).toBeLessThan(0.05 * b)
    })
  })

  // with the same seed, each delay is the same random draw times its bound
  const ratios = (policy: Config.GrpcRetryPolicy, seed: number): ReadonlyArray<number> => {
    const reference = Config.fromGrpcRetryPolicy({ ...policy, initialBackoff: 1, maxBackoff: 1, backoffMultiplier: 1 })
    const draws = pipe(reference.schedule, S.simulate({ steps: 10, seed })).map((s) => s.delay)
    const delays = pipe(Config.fromGrpcRetryPolicy(policy).schedule, S.simulate({ steps: 10, seed })).map(
      (s) => s.delay
    )
    expect(delays).toHaveLength(draws.length)
    return delays.map((d, i) => d / draws[i])
  }
  const policy = (p: Partial<Config.GrpcRetryPolicy>): Config.GrpcRetryPolicy => ({
    maxAttempts: 5,
    initialBackoff: 100,
    maxBackoff: 1000,
    backoffMultiplier: 2,
    retryableStatusCodes: ['UNAVAILABLE'],
    ...p
  })
  const close = (actual: ReadonlyArray<number>, expected: ReadonlyArray<number>) => {
    expect(actual).toHaveLength(expected.length)
    actual.forEach((a, i) => expect(a).toBeCloseTo(expected[i], 6))
  }

  it('the n-th retry waits U(0, min(initialBackoff · multiplier^(n-1), maxBackoff))', () => {
    close(ratios(policy({}), 1), [100, 200, 400, 800])
    close(ratios(policy({ maxBackoff: 300 }), 2), [100, 200, 300, 300])
    close(ratios(policy({ backoffMultiplier: 0.5, initialBackoff: 1000 }), 3), [1000, 500, 250, 125])
    close(
      ratios(policy({ backoffMultiplier: 0.5, initialBackoff: 4000, maxBackoff: 1000 }), 4),
      [1000, 1000, 1000, 500]
    )
    close(
      ratios(policy({ backoffMultiplier: 1e300, initialBackoff: 1e10, maxBackoff: 2e10 }), 5),
      [1e10, 2e10, 2e10, 2e10]
    )
  })

  it('maxAttempts counts the first call; values above 5 count as 5', () => {
    const retries = (maxAttempts: number) =>
      pipe(Config.fromGrpcRetryPolicy(policy({ maxAttempts })).schedule, S.simulate({ steps: 100 })).length
    expect(retries(2)).toBe(1)
    expect(retries(4)).toBe(3)
    expect(retries(5)).toBe(4)
    expect(retries(6)).toBe(4)
    expect(retries(1000)).toBe(4)
  })

  it('classifies status codes by name in any case or by number', () => {
    const { isRetryable } = Config.fromGrpcRetryPolicy(
      policy({ retryableStatusCodes: ['UNAVAILABLE', 'DEADLINE_EXCEEDED'] })
    )
    expect(isRetryable('UNAVAILABLE')).toBe(true)
    expect(isRetryable('unavailable')).toBe(true)
    expect(isRetryable('Deadline_Exceeded')).toBe(true)
    expect(isRetryable(14)).toBe(true)
    expect(isRetryable(4)).toBe(true)
    expect(isRetryable('NOT_FOUND')).toBe(false)
    expect(isRetryable(5)).toBe(false)
    expect(isRetryable(14.5)).toBe(false)
    expect(isRetryable(-1)).toBe(false)
    expect(isRetryable(17)).toBe(false)
    expect(isRetryable('UNAVAILABLEX')).toBe(false)
    expect(isRetryable(undefined as unknown as string)).toBe(false)
  })

  it('decodes status codes in any case and as numbers to upper-case names', () => {
    const decoded = Config.GrpcRetryPolicy.decode({
      ...grpcExample,
      retryableStatusCodes: ['unavailable', 0, 16, 'Aborted']
    })
    expect(
      pipe(
        decoded,
        E.map((p) => p.retryableStatusCodes)
      )
    ).toEqual(E.right(['UNAVAILABLE', 'OK', 'UNAUTHENTICATED', 'ABORTED']))
  })

  it('reports every problem', () => {
    expect(
      grpcProblems({
        maxAttempts: 1,
        initialBackoff: 0.1,
        maxBackoff: '0s',
        backoffMultiplier: 0,
        retryableStatusCodes: ['UNAVAILBLE', 17],
        perAttemptRecvTimeout: '1s'
      })
    ).toEqual([
      {
        path: 'perAttemptRecvTimeout',
        message:
          'unknown key; the known keys are maxAttempts, initialBackoff, maxBackoff, backoffMultiplier, retryableStatusCodes'
      },
      {
        path: 'maxAttempts',
        message:
          'expected a whole number of at least 2, such as 4 (maxAttempts counts the first call, so 2 allows one retry); given 1'
      },
      {
        path: 'initialBackoff',
        message:
          'expected a duration string such as "0.1s" (gRPC writes durations as strings; a bare number has no unit); given 0.1'
      },
      {
        path: 'maxBackoff',
        message: `expected a duration above 0 (gRPC's backoffs must be positive), such as "0.1s"; given "0s"`
      },
      {
        path: 'backoffMultiplier',
        message: 'expected a finite number above 0, such as 2 (below 1 shrinks the backoff); given 0'
      },
      {
        path: 'retryableStatusCodes[0]',
        message:
          'expected a gRPC status code name such as "UNAVAILABLE" or a number from 0 to 16; given "UNAVAILBLE" (did you mean "UNAVAILABLE"?)'
      },
      {
        path: 'retryableStatusCodes[1]',
        message: 'expected a gRPC status code name such as "UNAVAILABLE" or a number from 0 to 16; given 17'
      }
    ])
  })

  it('requires every key', () => {
    expect(paths(grpcProblems({}))).toEqual([
      'maxAttempts',
      'initialBackoff',
      'maxBackoff',
      'backoffMultiplier',
      'retryableStatusCodes'
    ])
    expect(grpcProblems({})[4].message).toContain('missing')
    expect(paths(grpcProblems([]))).toEqual([''])
  })

  it('validates each field', () => {
    const fieldProblems = (patch: Record<string, unknown>) => paths(grpcProblems({ ...grpcExample, ...patch }))
    for (const maxAttempts of [2.5, '4', -3, NaN, Infinity]) {
      expect(fieldProblems({ maxAttempts })).toEqual(['maxAttempts'])
    }
    for (const backoff of ['1', '-1s', '0.0000000001s', '999999999999999s', 'x', null, '0ms']) {
      expect(fieldProblems({ initialBackoff: backoff, maxBackoff: backoff })).toEqual(['initialBackoff', 'maxBackoff'])
    }
    expect(grpcProblems({ ...grpcExample, maxBackoff: '999999999999999s' })[0].message).toContain('at most')
    for (const backoffMultiplier of [-1, Infinity, NaN, '2']) {
      expect(fieldProblems({ backoffMultiplier })).toEqual(['backoffMultiplier'])
    }
    expect(grpcProblems({ ...grpcExample, retryableStatusCodes: [] })).toEqual([
      {
        path: 'retryableStatusCodes',
        message: 'expected a non-empty array of status codes such as ["UNAVAILABLE"]; given []'
      }
    ])
    expect(fieldProblems({ retryableStatusCodes: 'UNAVAILABLE' })).toEqual(['retryableStatusCodes'])
    expect(fieldProblems({ retryableStatusCodes: [1.5, null, 'nope'] })).toEqual([
      'retryableStatusCodes[0]',
      'retryableStatusCodes[1]',
      'retryableStatusCodes[2]'
    ])
    expect(grpcProblems({ ...grpcExample, retryableStatusCodes: ['nope'] })[0].message).not.toContain('did you mean')
  })

  it('accepts the smallest and largest gRPC durations and sub-1 multipliers', () => {
    expect(
      E.isRight(
        Config.GrpcRetryPolicy.decode({
          ...grpcExample,
          initialBackoff: '0.000000001s',
          maxBackoff: '315576000000s',
          backoffMultiplier: 0.001
        })
      )
    ).toBe(true)
    expect(E.isRight(Config.GrpcRetryPolicy.decode({ ...grpcExample, initialBackoff: '100ms' }))).toBe(true)
  })

  it('encodes backoffs in seconds and codes as names, which round-trips the canonical example', () => {
    const canonical = { ...grpcExample, initialBackoff: '0.1s' }
    expect(pipe(Config.GrpcRetryPolicy.decode(canonical), E.map(Config.GrpcRetryPolicy.encode))).toEqual(
      E.right(canonical)
    )
    expect(pipe(Config.GrpcRetryPolicy.decode(grpcExample), E.map(Config.GrpcRetryPolicy.encode))).toEqual(
      E.right(canonical)
    )
    const encode = (ms: number) => Config.GrpcRetryPolicy.encode(policy({ initialBackoff: ms })).initialBackoff
    expect([1, 10, 100, 1000, 1500, 12_345.678, 0.5, 0.000001, 3.15576e14].map(encode)).toEqual([
      '0.001s',
      '0.01s',
      '0.1s',
      '1s',
      '1.5s',
      '12.345678s',
      '0.0005s',
      '0.000000001s',
      '315576000000s'
    ])
    expect(encode(NaN)).toBe('NaNs')
    expect(
      Config.GrpcRetryPolicy.encode(policy({ retryableStatusCodes: ['UNAVAILABLE', 'ABORTED'] })).retryableStatusCodes
    ).toEqual(['UNAVAILABLE', 'ABORTED'])
  })

  it('property: encode then decode gives back the decoded policy', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.000001, max: 3e14, noNaN: true }),
        fc.integer({ min: 2, max: 10 }),
        fc.subarray([...Array(17).keys()], { minLength: 1 }),
        (ms, maxAttempts, codes) => {
          const json = { ...grpcExample, maxAttempts, initialBackoff: `${ms}ms`, retryableStatusCodes: codes }
          const decoded = Config.GrpcRetryPolicy.decode(json)
          expect(E.isRight(decoded)).toBe(true)
          expect(pipe(decoded, E.map(Config.GrpcRetryPolicy.encode), E.chain(Config.GrpcRetryPolicy.decode))).toEqual(
            decoded
          )
        }
      ),
      { numRuns: 500 }
    )
  })

  it('is accepts only the decoded form', () => {
    expect(Config.GrpcRetryPolicy.is(policy({}))).toBe(true)
    expect(Config.GrpcRetryPolicy.is(grpcExample)).toBe(false)
    expect(Config.GrpcRetryPolicy.is(policy({ retryableStatusCodes: ['unavailable' as 'UNAVAILABLE'] }))).toBe(false)
    expect(Config.GrpcRetryPolicy.is(policy({ initialBackoff: 0 }))).toBe(false)
  })

  it('fromGrpcRetryPolicy throws a RangeError on an invalid policy', () => {
    expect(() => Config.fromGrpcRetryPolicy(policy({ maxAttempts: 1 }))).toThrow(
      /^Config\.fromGrpcRetryPolicy: invalid config: maxAttempts:/
    )
    expect(() => Config.fromGrpcRetryPolicy(policy({ retryableStatusCodes: [] }))).toThrow(RangeError)
    expect(() => Config.fromGrpcRetryPolicy(policy({ backoffMultiplier: 0 }))).toThrow(RangeError)
  })

  it('decodeGrpcRetryPolicy gives a schedule and a classifier, or every problem', () => {
    const result = Config.decodeGrpcRetryPolicy(grpcExample)
    expect(E.isRight(result) && result.right.isRetryable(14)).toBe(true)
    const bad = Config.decodeGrpcRetryPolicy({ ...grpcExample, maxAttempts: 0, retryableStatusCodes: [] })
    expect(E.isLeft(bad) && bad.left.message.split('\n')).toEqual([
      expect.stringMatching(/^maxAttempts: /),
      expect.stringMatching(/^retryableStatusCodes: /)
    ])
  })

  it('the classifier works with whileInput', () => {
    const { schedule, isRetryable } = Config.fromGrpcRetryPolicy(policy({}))
    const retryTransient = piped(schedule)(S.whileInput((e: { readonly code: number }) => isRetryable(e.code)))
    expect(
      pipe(retryTransient, S.simulate({ steps: 10, inputs: [{ code: 14 }, { code: 14 }, { code: 5 }] }))
    ).toHaveLength(2)
  })
})

describe('GrpcHedgingPolicy', () => {
  const hedgingExample = {
    maxAttempts: 4,
    hedgingDelay: '.5s',
    nonFatalStatusCodes: ['UNAVAILABLE', 'INTERNAL', 'ABORTED']
  }
  const hedgingProblems = (u: unknown): ReadonlyArray<Config.ConfigProblem> =>
    pipe(
      Config.decodeGrpcHedgingPolicy(u),
      E.match(
        (error) => error.problems,
        () => []
      )
    )
  const launches = (policy: Config.GrpcHedgingPolicy): ReadonlyArray<number> =>
    pipe(Config.fromGrpcHedgingPolicy(policy).schedule, S.simulate({ steps: 100 })).map((s) => s.delay)

  it('decodes the example of gRPC retry design (A6)', () => {
    expect(Config.GrpcHedgingPolicy.decode(hedgingExample)).toEqual(
      E.right({ maxAttempts: 4, hedgingDelay: 500, nonFatalStatusCodes: ['UNAVAILABLE', 'INTERNAL', 'ABORTED'] })
    )
  })

  it('launches maxAttempts - 1 more attempts, hedgingDelay apart: 500, 1000 and 1500 ms in the example', () => {
    const hedging = pipe(
      Config.decodeGrpcHedgingPolicy(hedgingExample),
      E.getOrElseW((e) => {
        throw new Error(e.message)
      })
    )
    const steps = pipe(hedging.schedule, S.simulate({ steps: 100, seed: 7 }))
    expect(steps.map((s) => s.delay)).toEqual([500, 500, 500])
    expect(steps.map((s) => s.elapsed + s.delay)).toEqual([500, 1000, 1500])
    expect(steps.map((s) => s.output)).toEqual([500, 500, 500])
  })

  it('hedgingDelay and nonFatalStatusCodes are optional: all attempts at once, and no code non-fatal', () => {
    expect(Config.GrpcHedgingPolicy.decode({ maxAttempts: 3 })).toEqual(E.right({ maxAttempts: 3 }))
    expect(launches({ maxAttempts: 3 })).toEqual([0, 0])
    const { isNonFatal } = Config.fromGrpcHedgingPolicy({ maxAttempts: 3 })
    expect(Array.from({ length: 17 }, (_, code) => isNonFatal(code)).some(Boolean)).toBe(false)
    expect(launches({ maxAttempts: 2, hedgingDelay: 0, nonFatalStatusCodes: [] })).toEqual([0])
    expect(Config.GrpcHedgingPolicy.decode({ maxAttempts: 2, hedgingDelay: '0s', nonFatalStatusCodes: [] })).toEqual(
      E.right({ maxAttempts: 2, hedgingDelay: 0, nonFatalStatusCodes: [] })
    )
    expect(Config.GrpcHedgingPolicy.decode({ maxAttempts: 2, hedgingDelay: undefined })).toEqual(
      E.right({ maxAttempts: 2 })
    )
  })

  it('maxAttempts counts the first call; values above 5 count as 5', () => {
    expect(launches({ maxAttempts: 2, hedgingDelay: 10 })).toHaveLength(1)
    expect(launches({ maxAttempts: 5, hedgingDelay: 10 })).toHaveLength(4)
    expect(launches({ maxAttempts: 6, hedgingDelay: 10 })).toHaveLength(4)
    expect(launches({ maxAttempts: 1000, hedgingDelay: 10 })).toHaveLength(4)
  })

  it('classifies status codes by name in any case or by number', () => {
    const { isNonFatal } = Config.fromGrpcHedgingPolicy({
      maxAttempts: 3,
      nonFatalStatusCodes: ['UNAVAILABLE', 'ABORTED']
    })
    expect([
      isNonFatal('UNAVAILABLE'),
      isNonFatal('unavailable'),
      isNonFatal(14),
      isNonFatal('Aborted'),
      isNonFatal(10)
    ]).toEqual([true, true, true, true, true])
    expect([isNonFatal('NOT_FOUND'), isNonFatal(5), isNonFatal(14.5), isNonFatal(-1), isNonFatal(17)]).toEqual([
      false,
      false,
      false,
      false,
      false
    ])
    expect(
      pipe(
        Config.GrpcHedgingPolicy.decode({ maxAttempts: 2, nonFatalStatusCodes: ['unavailable', 0, 16] }),
        E.map((p) => p.nonFatalStatusCodes)
      )
    ).toEqual(E.right(['UNAVAILABLE', 'OK', 'UNAUTHENTICATED']))
  })

  it('reports every problem, with the closest known key and status code', () => {
    expect(
      hedgingProblems({
        maxAttempts: 1,
        hedgingDelay: 0.5,
        nonFatalStatusCodes: ['UNAVAILBLE', 17],
        hedgingDelays: '1s'
      })
    ).toEqual([
      { path: 'hedgingDelays', message: 'unknown key; did you mean "hedgingDelay"?' },
      {
        path: 'maxAttempts',
        message:
          'expected a whole number of at least 2, such as 4 (maxAttempts counts the first call, so 2 allows one hedge); given 1'
      },
      {
        path: 'hedgingDelay',
        message:
          'expected a duration string such as "0.1s" (gRPC writes durations as strings; a bare number has no unit); given 0.5'
      },
      {
        path: 'nonFatalStatusCodes[0]',
        message:
          'expected a gRPC status code name such as "UNAVAILABLE" or a number from 0 to 16; given "UNAVAILBLE" (did you mean "UNAVAILABLE"?)'
      },
      {
        path: 'nonFatalStatusCodes[1]',
        message: 'expected a gRPC status code name such as "UNAVAILABLE" or a number from 0 to 16; given 17'
      }
    ])
    expect(hedgingProblems({})).toEqual([
      { path: 'maxAttempts', message: 'missing; expected a whole number of at least 2, such as 3' }
    ])
    expect(paths(hedgingProblems({ ...hedgingExample, retryableStatusCodes: ['UNAVAILABLE'] }))).toEqual([
      'retryableStatusCodes'
    ])
    expect(paths(hedgingProblems(null))).toEqual([''])
    expect(hedgingProblems([])[0].message).toMatch(/^expected a gRPC hedgingPolicy object such as/)
  })

  it('validates each field', () => {
    const fieldProblems = (patch: Record<string, unknown>) => paths(hedgingProblems({ ...hedgingExample, ...patch }))
    for (const maxAttempts of [2.5, '4', -3, 0, NaN, Infinity]) {
      expect(fieldProblems({ maxAttempts })).toEqual(['maxAttempts'])
    }
    for (const hedgingDelay of ['1', '-1s', '0.0000000001s', '999999999999999s', 'x', null, 500]) {
      expect(fieldProblems({ hedgingDelay })).toEqual(['hedgingDelay'])
    }
    expect(hedgingProblems({ ...hedgingExample, hedgingDelay: '0.0000000001s' })[0].message).toContain(
      'expected "0s" or a duration of at least 1 nanosecond'
    )
    expect(hedgingProblems({ ...hedgingExample, hedgingDelay: '999999999999999s' })[0].message).toContain('at most')
    for (const nonFatalStatusCodes of ['UNAVAILABLE', 14, {}, null]) {
      expect(fieldProblems({ nonFatalStatusCodes })).toEqual(['nonFatalStatusCodes'])
    }
    expect(fieldProblems({ nonFatalStatusCodes: Array(1001).fill(14) })).toEqual(['nonFatalStatusCodes'])
    for (const hedgingDelay of ['0s', '0ms', '.5s', '0.000000001s', '315576000000s', '2m']) {
      expect(fieldProblems({ hedgingDelay })).toEqual([])
    }
  })

  it('encodes the delay in seconds and codes as names; absent keys stay absent', () => {
    const canonical = { ...hedgingExample, hedgingDelay: '0.5s' }
    expect(pipe(Config.GrpcHedgingPolicy.decode(hedgingExample), E.map(Config.GrpcHedgingPolicy.encode))).toEqual(
      E.right(canonical)
    )
    expect(Config.GrpcHedgingPolicy.encode({ maxAttempts: 3 })).toEqual({ maxAttempts: 3 })
    expect(
      Config.GrpcHedgingPolicy.encode({ maxAttempts: 3, hedgingDelay: 0, nonFatalStatusCodes: ['ABORTED'] })
    ).toEqual({ maxAttempts: 3, hedgingDelay: '0s', nonFatalStatusCodes: ['ABORTED'] })
  })

  it('property: encode then decode gives back the decoded policy', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 10 }),
        fc.option(fc.double({ min: 0, max: 3e14, noNaN: true }), { nil: undefined }),
        fc.option(fc.subarray([...Array(17).keys()]), { nil: undefined }),
        (maxAttempts, ms, codes) => {
          const json = {
            maxAttempts,
            ...(ms === undefined ? {} : { hedgingDelay: ms < 0.000001 ? '0s' : `${ms}ms` }),
            ...(codes === undefined ? {} : { nonFatalStatusCodes: codes })
          }
          const decoded = Config.GrpcHedgingPolicy.decode(json)
          expect(E.isRight(decoded)).toBe(true)
          expect(
            pipe(decoded, E.map(Config.GrpcHedgingPolicy.encode), E.chain(Config.GrpcHedgingPolicy.decode))
          ).toEqual(decoded)
        }
      ),
      { numRuns: 500 }
    )
  })

  it('is accepts only the decoded form', () => {
    expect(Config.GrpcHedgingPolicy.is({ maxAttempts: 2, hedgingDelay: 0, nonFatalStatusCodes: ['UNAVAILABLE'] })).toBe(
      true
    )
    expect(Config.GrpcHedgingPolicy.is(hedgingExample)).toBe(false)
    expect(Config.GrpcHedgingPolicy.is({ maxAttempts: 2, nonFatalStatusCodes: [14] })).toBe(false)
    expect(Config.GrpcHedgingPolicy.is({ maxAttempts: 2, hedgingDelay: -1 })).toBe(false)
    expect(Config.GrpcHedgingPolicy.is({ maxAttempts: 1 })).toBe(false)
  })

  it('fromGrpcHedgingPolicy throws a RangeError on an invalid policy', () => {
    expect(() => Config.fromGrpcHedgingPolicy({ maxAttempts: 1 })).toThrow(
      /^Config\.fromGrpcHedgingPolicy: invalid config: maxAttempts:/
    )
    expect(() =>
      Config.fromGrpcHedgingPolicy({ maxAttempts: 2, hedgingDelay: '1s' } as unknown as Config.GrpcHedgingPolicy)
    ).toThrow(/hedgingDelay: expected a number of milliseconds such as 250 \(decode the JSON first\)/)
    expect(() => Config.fromGrpcHedgingPolicy(null as unknown as Config.GrpcHedgingPolicy)).toThrow(RangeError)
  })

  it('ignores a polluted Object.prototype', () => {
    const proto = Object.prototype as unknown as Record<string, unknown>
    try {
      proto.hedgingDelay = 1000
      proto.nonFatalStatusCodes = ['UNAVAILABLE']
      expect(launches({ maxAttempts: 3 })).toEqual([0, 0])
      expect(Config.fromGrpcHedgingPolicy({ maxAttempts: 3 }).isNonFatal(14)).toBe(false)
      expect(Config.GrpcHedgingPolicy.encode({ maxAttempts: 3 })).toEqual({ maxAttempts: 3 })
    } finally {
      delete proto.hedgingDelay
      delete proto.nonFatalStatusCodes
    }
  })

  it('the classifier stops the launches with whileInput after a fatal failure', () => {
    const { schedule, isNonFatal } = Config.fromGrpcHedgingPolicy({
      maxAttempts: 5,
      hedgingDelay: 100,
      nonFatalStatusCodes: ['UNAVAILABLE']
    })
    const hedging = pipe(
      schedule,
      S.whileInput((e: { readonly code: number } | undefined) => e === undefined || isNonFatal(e.code))
    )
    expect(pipe(hedging, S.simulate({ steps: 10, inputs: [undefined, { code: 14 }, { code: 3 }] }))).toHaveLength(2)
  })
})

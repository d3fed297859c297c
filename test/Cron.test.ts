import { Cron as Croner } from 'croner'
import * as fc from 'fast-check'
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import * as TE from 'fp-ts/TaskEither'
import { afterEach, describe, expect, expectTypeOf, it, vi } from 'vitest'
import { live } from '../src/Clock'
import * as Cron from '../src/Cron'
import * as S from '../src/Schedule'
import * as Retry from '../src/TaskEither'
import * as TestClock from '../src/TestClock'

const HOUR = 60 * 60 * 1000
const DAY = 24 * HOUR

const iso = (date: Date): string => date.toISOString()

/** The decisions of a schedule simulated from `start`: the time aimed at, and the delay to it. */
const timeline = (schedule: S.Schedule<unknown, Date>, start: number, steps: number, attemptDuration = 0) =>
  pipe(schedule, S.simulate({ steps, start, attemptDuration })).map((step) => ({
    at: iso(step.output),
    delay: step.delay
  }))

const outputs = (schedule: S.Schedule<unknown, Date>, start: number, steps: number): ReadonlyArray<string> =>
  timeline(schedule, start, steps).map((step) => step.at)

/** One step of a schedule from its initial state at `now`. */
const stepAt = (schedule: S.Schedule<unknown, Date>, now: number) =>
  schedule.step(undefined, { now, start: now, random: Math.random }, schedule.initial)

const paris = { timezone: 'Europe/Paris' }

afterEach(() => {
  vi.restoreAllMocks()
})

describe('cron: next times on known dates', () => {
  it('09:00 on weekdays in Paris, across the change to summer time', () => {
    // Thursday 27 March 2025, 13:00 in Paris; the clocks go forward on Sunday 30 March
    expect(timeline(Cron.cron('0 9 * * 1-5', paris), Date.UTC(2025, 2, 27, 12), 4)).toEqual([
      { at: '2025-03-28T08:00:00.000Z', delay: 20 * HOUR }, // Friday 09:00 CET
      { at: '2025-03-31T07:00:00.000Z', delay: 3 * DAY - HOUR }, // Monday 09:00 CEST: the weekend was an hour short
      { at: '2025-04-01T07:00:00.000Z', delay: DAY },
      { at: '2025-04-02T07:00:00.000Z', delay: DAY }
    ])
  })

  it('09:00 on weekdays in Paris, across the change back to winter time', () => {
    // Friday 24 October 2025, 14:00 in Paris; the clocks go back on Sunday 26 October
    expect(timeline(Cron.cron('0 9 * * MON-FRI', paris), Date.UTC(2025, 9, 24, 12), 2)).toEqual([
      { at: '2025-10-27T08:00:00.000Z', delay: 2 * DAY + 20 * HOUR }, // Monday 09:00 CET, 08:00 UTC
      { at: '2025-10-28T08:00:00.000Z', delay: DAY }
    ])
  })

  it('reads the expression in the time zone given', () => {
    const start = Date.UTC(2025, 0, 1)
    expect(outputs(Cron.cron('0 9 * * *', { timezone: 'UTC' }), start, 1)).toEqual(['2025-01-01T09:00:00.000Z'])
    expect(outputs(Cron.cron('0 9 * * *', { timezone: 'America/New_York' }), start, 1)).toEqual([
      '2025-01-01T14:00:00.000Z'
    ])
    expect(outputs(Cron.cron('0 9 * * *', { timezone: 'Asia/Kolkata' }), start, 1)).toEqual([
      '2025-01-01T03:30:00.000Z'
    ])
  })

  it('reads it in the local time zone by default', () => {
    const local = Intl.DateTimeFormat().resolvedOptions().timeZone
    const start = Date.UTC(2025, 5, 1)
    expect(outputs(Cron.cron('15 9 * * *'), start, 5)).toEqual(
      outputs(Cron.cron('15 9 * * *', { timezone: local }), start, 5)
    )
    expect(outputs(Cron.cron('15 9 * * *', {}), start, 5)).toEqual(
      outputs(Cron.cron('15 9 * * *', { timezone: undefined }), start, 5)
    )
  })

  it('L: the last day of the month, leap years included', () => {
    expect(outputs(Cron.cron('0 0 L * *', { timezone: 'UTC' }), Date.UTC(2024, 1, 10), 3)).toEqual([
      '2024-02-29T00:00:00.000Z',
      '2024-03-31T00:00:00.000Z',
      '2024-04-30T00:00:00.000Z'
    ])
  })

  it('5L: the last Friday of the month', () => {
    expect(outputs(Cron.cron('0 18 * * 5L', { timezone: 'UTC' }), Date.UTC(2025, 0, 1), 3)).toEqual([
      '2025-01-31T18:00:00.000Z',
      '2025-02-28T18:00:00.000Z',
      '2025-03-28T18:00:00.000Z'
    ])
  })

  it('#: the second Friday of the month', () => {
    expect(outputs(Cron.cron('0 12 * * 5#2', { timezone: 'UTC' }), Date.UTC(2025, 0, 1), 3)).toEqual([
      '2025-01-10T12:00:00.000Z',
      '2025-02-14T12:00:00.000Z',
      '2025-03-14T12:00:00.000Z'
    ])
  })

  it('W: the weekday nearest the 15th', () => {
    expect(outputs(Cron.cron('0 0 15W * *', { timezone: 'UTC' }), Date.UTC(2025, 2, 1), 4)).toEqual([
      '2025-03-14T00:00:00.000Z', // the 15th is a Saturday
      '2025-04-15T00:00:00.000Z',
      '2025-05-15T00:00:00.000Z',
      '2025-06-16T00:00:00.000Z' // the 15th is a Sunday
    ])
  })

  it('6 fields: the first is the seconds', () => {
    expect(timeline(Cron.cron('*/15 * * * * *', { timezone: 'UTC' }), Date.UTC(2025, 0, 1, 0, 0, 7), 3)).toEqual([
      { at: '2025-01-01T00:00:15.000Z', delay: 8_000 },
      { at: '2025-01-01T00:00:30.000Z', delay: 15_000 },
      { at: '2025-01-01T00:00:45.000Z', delay: 15_000 }
    ])
  })

  it('names and nicknames', () => {
    const start = Date.UTC(2025, 0, 1, 0, 0, 7)
    expect(outputs(Cron.cron('0 9 * JAN MON', { timezone: 'UTC' }), start, 2)).toEqual([
      '2025-01-06T09:00:00.000Z',
      '2025-01-13T09:00:00.000Z'
    ])
    expect(outputs(Cron.cron('@daily', { timezone: 'UTC' }), start, 2)).toEqual([
      '2025-01-02T00:00:00.000Z',
      '2025-01-03T00:00:00.000Z'
    ])
  })

  it('a time the spring change skips runs once, an hour later', () => {
    // 02:30 does not exist in Paris on 30 March 2025: it runs at 03:30 CEST (01:30 UTC)
    expect(outputs(Cron.cron('30 2 * * *', paris), Date.UTC(2025, 2, 28, 12), 3)).toEqual([
      '2025-03-29T01:30:00.000Z',
      '2025-03-30T01:30:00.000Z',
      '2025-03-31T00:30:00.000Z'
    ])
  })

  it('a time the autumn change repeats runs once, at its first occurrence', () => {
    // 02:30 happens twice in Paris on 26 October 2025: at 00:30 UTC (CEST) and 01:30 UTC (CET)
    expect(outputs(Cron.cron('30 2 * * *', paris), Date.UTC(2025, 9, 24, 12), 3)).toEqual([
      '2025-10-25T00:30:00.000Z',
      '2025-10-26T00:30:00.000Z',
      '2025-10-27T01:30:00.000Z'
    ])
    // every 30 minutes: the repeated hour is not run twice
    expect(outputs(Cron.cron('*/30 * * * *', paris), Date.UTC(2025, 9, 26, 0), 4)).toEqual([
      '2025-10-26T00:30:00.000Z', // 02:30 CEST
      '2025-10-26T02:00:00.000Z', // 03:00 CET
      '2025-10-26T02:30:00.000Z',
      '2025-10-26T03:00:00.000Z'
    ])
  })

  it('a step inside the repeated hour waits for the first match after it, where croner alone answers a past time', () => {
    const now = Date.UTC(2025, 9, 26, 1, 10) // 02:10 CET, the second pass of the hour
    // what croner's nextRun gives here is before now: used as it is, repeat would run again and again at once
    expect(iso(new Croner('30 2 * * *', { timezone: 'Europe/Paris' }).nextRun(new Date(now)) as Date)).toBe(
      '2025-10-26T00:30:00.000Z'
    )
    expect(timeline(Cron.cron('30 2 * * *', paris), now, 1)).toEqual([
      { at: '2025-10-27T01:30:00.000Z', delay: DAY + 20 * 60_000 }
    ])
    expect(outputs(Cron.cron('*/20 * * * *', paris), Date.UTC(2025, 9, 26, 1, 0), 2)).toEqual([
      '2025-10-26T02:00:00.000Z',
      '2025-10-26T02:20:00.000Z'
    ])
    // every second: the first second after the repeated hour
    expect(outputs(Cron.cron('* * * * * *', paris), now, 2)).toEqual([
      '2025-10-26T02:00:00.000Z',
      '2025-10-26T02:00:01.000Z'
    ])
  })

  it('inside and around the repeated hour, the first match after now that is not in its second pass (property)', () => {
    const secondPass = [Date.UTC(2025, 9, 26, 1), Date.UTC(2025, 9, 26, 2)]
    const expected = (now: number, every: number): number => {
      let t = Math.floor(now / every) * every + every
      while (t >= secondPass[0] && t < secondPass[1]) t += every
      return t
    }
    const nows = fc.double({ min: Date.UTC(2025, 9, 25, 23), max: Date.UTC(2025, 9, 26, 3), noNaN: true })
    const everyTwentyMinutes = Cron.cron('*/20 * * * *', paris)
    fc.assert(
      fc.property(nows, (now) => {
        const step = stepAt(everyTwentyMinutes, now)
        return step._tag === 'Continue' && step.output.getTime() === expected(now, 20 * 60_000)
      })
    )
    const everySecond = Cron.cron('* * * * * *', paris)
    fc.assert(
      fc.property(nows, (now) => {
        const step = stepAt(everySecond, now)
        return step._tag === 'Continue' && step.output.getTime() === expected(now, 1000)
      }),
      { numRuns: 50 }
    )
  })

  it('is done when croner finds no later time: it looks no further than the year 2999', () => {
    expect(outputs(Cron.cron('0 0 * * *', { timezone: 'UTC' }), Date.UTC(2999, 11, 30, 12), 5)).toEqual([
      '2999-12-31T00:00:00.000Z'
    ])
  })
})

describe('cron: strictly after now', () => {
  const weekdays = Cron.cron('0 9 * * 1-5', paris)
  const monday9 = Date.UTC(2025, 2, 31, 7) // Monday 31 March 2025, 09:00 CEST

  it('at a matching time exactly, waits for the next match', () => {
    const step = stepAt(weekdays, monday9)
    expect(step._tag === 'Continue' && [iso(step.output), step.delay]).toEqual(['2025-04-01T07:00:00.000Z', DAY])
  })

  it('a millisecond before, waits a millisecond; half of one before, half of one', () => {
    const before = stepAt(weekdays, monday9 - 1)
    expect(before._tag === 'Continue' && [iso(before.output), before.delay]).toEqual(['2025-03-31T07:00:00.000Z', 1])
    const half = stepAt(weekdays, monday9 - 0.5)
    expect(half._tag === 'Continue' && [iso(half.output), half.delay]).toEqual(['2025-03-31T07:00:00.000Z', 0.5])
  })

  it('a run that ends after the next match skips it: missed matches are not replayed', () => {
    // every 15 s, attempts of 20 s: each waits for the first slot after it ended
    expect(timeline(Cron.cron('*/15 * * * * *', { timezone: 'UTC' }), Date.UTC(2025, 0, 1), 3, 20_000)).toEqual([
      { at: '2025-01-01T00:00:30.000Z', delay: 10_000 },
      { at: '2025-01-01T00:01:00.000Z', delay: 10_000 },
      { at: '2025-01-01T00:01:30.000Z', delay: 10_000 }
    ])
  })

  it('every 7 minutes in UTC: the first such minute after now, for any now (property)', () => {
    const schedule = Cron.cron('*/7 * * * *', { timezone: 'UTC' })
    const expected = (now: number): number => {
      let t = Math.floor(now / 60_000) * 60_000 + 60_000
      while (new Date(t).getUTCMinutes() % 7 !== 0) t += 60_000
      return t
    }
    fc.assert(
      fc.property(fc.double({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2100, 0, 1), noNaN: true }), (now) => {
        const step = stepAt(schedule, now)
        return step._tag === 'Continue' && step.output.getTime() === expected(now) && step.delay === expected(now) - now
      })
    )
  })

  describe('09:00 on weekdays in Paris, around both changes of 2025 (property)', () => {
    const parts = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/Paris',
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23'
    })
    const isMatch = (t: number): boolean => {
      const p = Object.fromEntries(parts.formatToParts(new Date(t)).map((part) => [part.type, part.value]))
      return !['Sat', 'Sun'].includes(p.weekday) && p.hour === '09' && p.minute === '00' && p.second === '00'
    }
    const around = (day: number) => fc.double({ min: day - 5 * DAY, max: day + 5 * DAY, noNaN: true })

    it('the output is the first weekday 09:00 in Paris after now, and the delay leads to it', () => {
      fc.assert(
        fc.property(fc.oneof(around(Date.UTC(2025, 2, 30)), around(Date.UTC(2025, 9, 26))), (now) => {
          const step = stepAt(weekdays, now)
          if (step._tag !== 'Continue') return false
          const at = step.output.getTime()
          // Paris is a whole number of hours from UTC: every match is on a whole UTC hour
          for (let t = Math.floor(now / HOUR) * HOUR + HOUR; t < at; t += HOUR) {
            if (isMatch(t)) return false
          }
          return at > now && isMatch(at) && step.delay === at - now
        })
      )
    })
  })
})

describe('cron: running', () => {
  it('repeat on a TestClock started at a date runs at the matching times', async () => {
    const clock = TestClock.make(Date.UTC(2025, 2, 28, 7, 30)) // Friday 28 March 2025, 08:30 in Paris
    const runs: Array<string> = []
    const aimedAt: Array<string> = []
    const job = TE.fromIO(() => runs.push(iso(new Date(clock.now()))))
    const result = pipe(
      job,
      Retry.repeat(pipe(Cron.cron('0 9 * * 1-5', paris), S.maxRetries(3)), {
        clock,
        onRepeat: (event) => {
          aimedAt.push(iso(event.output))
        }
      })
    )()
    await clock.runAll()
    expect(await result).toEqual(E.right(4))
    expect(runs).toEqual([
      '2025-03-28T07:30:00.000Z', // at once
      '2025-03-28T08:00:00.000Z', // Friday 09:00 CET
      '2025-03-31T07:00:00.000Z', // Monday 09:00 CEST
      '2025-04-01T07:00:00.000Z'
    ])
    expect(aimedAt).toEqual(runs.slice(1))
    expect(clock.sleeps).toEqual([30 * 60_000, 3 * DAY - HOUR, DAY])
  })

  it('a job that takes time still starts at the matching times', async () => {
    const clock = TestClock.make(Date.UTC(2025, 0, 1, 10, 20))
    const starts: Array<string> = []
    const job = pipe(
      TE.fromIO(() => starts.push(iso(new Date(clock.now())))),
      TE.chainFirst(() => () => clock.sleep(25 * 60_000).then(() => E.right(undefined)))
    )
    const result = pipe(
      job,
      Retry.repeat(pipe(Cron.cron('0 * * * *', { timezone: 'UTC' }), S.maxRetries(2)), { clock })
    )()
    await clock.runAll()
    expect(E.isRight(await result)).toBe(true)
    expect(starts).toEqual(['2025-01-01T10:20:00.000Z', '2025-01-01T11:00:00.000Z', '2025-01-01T12:00:00.000Z'])
  })

  it('retry at the next slot', async () => {
    const clock = TestClock.make(Date.UTC(2025, 0, 1, 10, 20))
    let attempts = 0
    const flaky: TE.TaskEither<string, string> = () =>
      Promise.resolve(++attempts < 3 ? E.left(`failed at ${iso(new Date(clock.now()))}`) : E.right('done'))
    const errors: Array<unknown> = []
    const result = pipe(
      flaky,
      Retry.retry(Cron.cron('*/30 * * * *', { timezone: 'UTC' }), {
        clock,
        onRetry: (event) => {
          errors.push(event.error)
        }
      })
    )()
    await clock.runAll()
    expect(await result).toEqual(E.right('done'))
    expect(errors).toEqual(['failed at 2025-01-01T10:20:00.000Z', 'failed at 2025-01-01T10:30:00.000Z'])
    expect(clock.now()).toBe(Date.UTC(2025, 0, 1, 11))
  })

  it('reads the date from the live clock', () => {
    const now = live.now()
    const step = stepAt(Cron.cron('0 0 * * *', { timezone: 'UTC' }), now)
    const today = new Date(now)
    const midnight = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() + 1)
    expect(step._tag === 'Continue' && [step.output.getTime(), step.delay]).toEqual([midnight, midnight - now])
  })

  it('on a TestClock started at 0, it runs in January 1970', () => {
    expect(outputs(Cron.cron('0 12 * * *', { timezone: 'UTC' }), 0, 1)).toEqual(['1970-01-01T12:00:00.000Z'])
  })
})

describe('cron: no state, no timers', () => {
  it('one schedule value serves interleaved runs, each from its own state', () => {
    const schedule = Cron.cron('0 */6 * * *', { timezone: 'UTC' })
    const alone = (start: number) => outputs(schedule, start, 4)
    const expectedA = alone(Date.UTC(2025, 0, 1, 1))
    const expectedB = alone(Date.UTC(2030, 6, 15, 13))
    const a = { now: Date.UTC(2025, 0, 1, 1), state: schedule.initial, out: [] as Array<string> }
    const b = { now: Date.UTC(2030, 6, 15, 13), state: schedule.initial, out: [] as Array<string> }
    for (let i = 0; i < 4; i++) {
      for (const run of [a, b]) {
        const step = schedule.step(undefined, { now: run.now, start: 0, random: Math.random }, run.state)
        if (step._tag === 'Done') throw new Error('done')
        run.out.push(iso(step.output))
        run.now += step.delay
        run.state = step.state
      }
    }
    expect(a.out).toEqual(expectedA)
    expect(b.out).toEqual(expectedB)
  })

  it('runs on two clocks at once share nothing', async () => {
    const schedule = pipe(Cron.cron('0 9 * * *', paris), S.maxRetries(2))
    const run = (start: number) => {
      const clock = TestClock.make(start)
      const result = pipe(TE.right<never, number>(1), Retry.repeat(schedule, { clock }))()
      return clock.runAll().then(() => result.then(() => clock.sleeps))
    }
    const [winter, summer] = await Promise.all([run(Date.UTC(2025, 0, 1, 12)), run(Date.UTC(2025, 6, 1, 12))])
    expect(winter).toEqual([20 * HOUR, DAY])
    expect(summer).toEqual([19 * HOUR, DAY])
  })

  it('neither cron nor its steps set a timer', () => {
    const setTimeoutSpy = vi.spyOn(globalThis, 'setTimeout')
    const setIntervalSpy = vi.spyOn(globalThis, 'setInterval')
    const schedule = Cron.cron('*/5 * * * * *', paris)
    expect(timeline(schedule, Date.UTC(2025, 0, 1), 100)).toHaveLength(100)
    expect(setTimeoutSpy).not.toHaveBeenCalled()
    expect(setIntervalSpy).not.toHaveBeenCalled()
  })

  it('has the type Schedule<unknown, Date>', () => {
    expectTypeOf(Cron.cron('* * * * *')).toEqualTypeOf<S.Schedule<unknown, Date>>()
  })
})

describe('cron: validation', () => {
  it.each([
    ['a number', 42],
    ['undefined', undefined],
    ['null', null],
    ['a Date', new Date(0)]
  ])('throws a TypeError naming expression when it is %s', (_, expression) => {
    expect(() => Cron.cron(expression as unknown as string)).toThrow(TypeError)
    expect(() => Cron.cron(expression as unknown as string)).toThrow(/^Cron\.cron: expression must be a string/)
  })

  it.each([
    ['words', 'every day', /exactly five, six, or seven/],
    ['an empty string', '', /exactly five, six, or seven/],
    ['four fields', '* * * *', /exactly five, six, or seven/],
    ['seven fields (years)', '0 0 0 1 1 * 2030', /requires exactly 5 or 6 parts/],
    ['a minute out of range', '61 * * * *', /minute/],
    ['a day of week out of range', '0 0 * * 8', /dayOfWeek/],
    ['a backwards range', '0 0 * * 5-1', /From value is larger/],
    ['a date', '2025-01-01T09:00:00', /a date, not a cron expression/],
    ['a date that croner cannot read', '12:00', /./],
    ['February 30th', '0 0 30 2 *', /never matches/],
    ['@reboot', '@reboot', /reboot/]
  ])('throws a RangeError naming expression for %s', (_, expression, why) => {
    expect(() => Cron.cron(expression)).toThrow(RangeError)
    expect(() => Cron.cron(expression)).toThrow(/^Cron\.cron: expression must be a cron expression of 5 or 6 fields/)
    expect(() => Cron.cron(expression)).toThrow(why)
  })

  it('quotes at most 100 characters of a bad expression', () => {
    const long = `${'1,'.repeat(50_000)}x * * * *`
    let error: unknown
    try {
      Cron.cron(long)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(RangeError)
    expect((error as Error).message).toContain(`"${long.slice(0, 100)}..."`)
  })

  it.each([
    ['a number', 42],
    ['null', null],
    ['a string', 'Europe/Paris']
  ])('throws a TypeError naming options when they are %s', (_, options) => {
    expect(() => Cron.cron('* * * * *', options as unknown as Cron.CronOptions)).toThrow(TypeError)
    expect(() => Cron.cron('* * * * *', options as unknown as Cron.CronOptions)).toThrow(
      /^Cron\.cron: options must be an object/
    )
  })

  it('throws a TypeError naming timezone when it is not a string', () => {
    expect(() => Cron.cron('* * * * *', { timezone: 120 as unknown as string })).toThrow(TypeError)
    expect(() => Cron.cron('* * * * *', { timezone: 120 as unknown as string })).toThrow(
      /^Cron\.cron: timezone must be a string/
    )
  })

  it.each([
    ['an unknown zone', 'Mars/Olympus'],
    ['an empty string', ''],
    ['a misspelling', 'Europe/Pariss']
  ])('throws a RangeError naming timezone for %s', (_, timezone) => {
    expect(() => Cron.cron('* * * * *', { timezone })).toThrow(RangeError)
    expect(() => Cron.cron('* * * * *', { timezone })).toThrow(
      /^Cron\.cron: timezone must be an IANA time zone such as "Europe\/Paris", got "/
    )
  })

  it('accepts time zones in any case, and UTC', () => {
    expect(outputs(Cron.cron('0 9 * * *', { timezone: 'europe/paris' }), Date.UTC(2025, 0, 1), 1)).toEqual([
      '2025-01-01T08:00:00.000Z'
    ])
    expect(outputs(Cron.cron('0 9 * * *', { timezone: 'UTC' }), Date.UTC(2025, 0, 1), 1)).toEqual([
      '2025-01-01T09:00:00.000Z'
    ])
  })

  it.each([
    ['NaN', NaN],
    ['Infinity', Infinity],
    ['past the range of a Date', 8.64e15 + 1],
    ['not a number', '2025-01-01' as unknown as number]
  ])('a step whose now is %s throws a RangeError, not a wrong delay', (_, now) => {
    const schedule = Cron.cron('* * * * *', { timezone: 'UTC' })
    expect(() => stepAt(schedule, now)).toThrow(RangeError)
    expect(() => stepAt(schedule, now)).toThrow(/^Cron\.cron: the step's now must be a date in epoch milliseconds/)
  })

  it('a run whose clock reads NaN ends with that error as a defect, and leaves no timer', async () => {
    const clock = { now: () => NaN, sleep: vi.fn(() => Promise.resolve()) }
    const result = pipe(TE.right(1), Retry.repeat(Cron.cron('* * * * *'), { clock }))()
    await expect(result).rejects.toThrow(RangeError)
    expect(clock.sleep).not.toHaveBeenCalled()
  })
})

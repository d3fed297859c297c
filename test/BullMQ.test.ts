/**
 * `schedule-ts/BullMQ` without Redis: the strategy called as BullMQ calls it (see
 * test/integration/BullMQ.test.ts for real queues and workers).
 */
import type { BackoffStrategy as BullBackoffStrategy, JobsOptions, MinimalJob, WorkerOptions } from 'bullmq'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { pipe } from 'fp-ts/function'
import * as O from 'fp-ts/Option'
import { afterEach, describe, expect, expectTypeOf, it, vi } from 'vitest'
import * as BullMQ from '../src/BullMQ'
import * as S from '../src/Schedule'

const jittered = pipe(S.exponential(100), S.jittered, S.maxRetries(4))
const job = (id: string, timestamp = 1_000_000): BullMQ.BackoffJob => ({ id, timestamp })
const boom = new Error('503 Service Unavailable')

afterEach(() => {
  vi.useRealTimers()
})

describe('backoffStrategy', () => {
  it("returns nthDelay(attemptsMade) seeded by the job's id, rounded to whole ms", () => {
    const strategy = BullMQ.backoffStrategy({ jittered })
    for (const id of ['1', '2', 'order-42', 'ünïcode']) {
      const delays = [1, 2, 3, 4].map((n) => strategy(n, 'jittered', boom, job(id)))
      const expected = [1, 2, 3, 4].map((n) =>
        pipe(
          jittered,
          S.nthDelay(n, { seed: id }),
          O.map(Math.round),
          O.getOrElse(() => NaN)
        )
      )
      expect(delays).toEqual(expected)
      expect(delays.every(Number.isInteger)).toBe(true)
    }
    // the jitter depends on the id: not every job waits the same
    expect(new Set(['1', '2', '3', '4', '5'].map((id) => strategy(1, 'jittered', boom, job(id)))).size).toBeGreaterThan(
      1
    )
  })

  it('returns -1 once the schedule is done, so BullMQ fails the job', () => {
    const strategy = BullMQ.backoffStrategy({ jittered })
    expect(strategy(4, 'jittered', boom, job('1'))).toBeGreaterThan(0)
    expect(strategy(5, 'jittered', boom, job('1'))).toBe(-1)
    expect(strategy(50, 'jittered', boom, job('1'))).toBe(-1)
  })

  it('rounds to the nearest ms, and a zero delay stays 0 (retry at once)', () => {
    const strategy = BullMQ.backoffStrategy({ exact: S.fromDelays(0, 0.4, 0.5, 1234.5) })
    expect([1, 2, 3, 4, 5].map((n) => strategy(n, 'exact', boom, job('1')))).toEqual([0, 0, 1, 1235, -1])
  })

  it('picks the schedule named by the type', () => {
    const strategy = BullMQ.backoffStrategy({ fast: S.constant(10), slow: S.constant(10_000) })
    expect(strategy(1, 'fast', boom, job('1'))).toBe(10)
    expect(strategy(1, 'slow', boom, job('1'))).toBe(10_000)
  })

  it("maxElapsed counts from the job's timestamp to Date.now()", () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const strategy = BullMQ.backoffStrategy({ deadline: pipe(S.constant(1_000), S.maxElapsed(10_000)) })
    const added = job('1', Date.UTC(2030, 0, 1))
    vi.setSystemTime(added.timestamp + 8_000)
    expect(strategy(1, 'deadline', boom, added)).toBe(1_000)
    vi.setSystemTime(added.timestamp + 9_000)
    expect(strategy(1, 'deadline', boom, added)).toBe(1_000)
    vi.setSystemTime(added.timestamp + 9_001)
    expect(strategy(1, 'deadline', boom, added)).toBe(-1)
    // a later attempt number replays the earlier decisions at the times they aimed at
    vi.setSystemTime(added.timestamp + 9_000)
    expect(strategy(5, 'deadline', boom, added)).toBe(1_000)
  })

  it('the schedule is stepped with the error: whileInput gives up on a permanent one', () => {
    const isTransient = (e: Error | undefined) => !(e instanceof TypeError)
    const strategy = BullMQ.backoffStrategy({ transient: pipe(S.constant(50), S.whileInput(isTransient)) })
    expect(strategy(3, 'transient', boom, job('1'))).toBe(50)
    expect(strategy(3, 'transient', new TypeError('bad input'), job('1'))).toBe(-1)
    expect(strategy(1, 'transient', undefined, job('1'))).toBe(50)
  })

  it('an unknown type throws a RangeError naming the known ones', () => {
    const strategy = BullMQ.backoffStrategy({ fast: S.constant(10), slow: S.constant(100) })
    expect(() => strategy(1, 'medium', boom, job('1'))).toThrow(
      new RangeError('BullMQ.backoffStrategy: unknown backoff type "medium"; the known types are "fast", "slow"')
    )
    expect(() => strategy(1, undefined, boom, job('1'))).toThrow(
      new RangeError('BullMQ.backoffStrategy: unknown backoff type undefined; the known types are "fast", "slow"')
    )
    // not a name inherited from Object.prototype either
    expect(() => strategy(1, 'toString', boom, job('1'))).toThrow(/unknown backoff type "toString"/)
    expect(() => BullMQ.backoffStrategy({})(1, 'x', boom, job('1'))).toThrow(/the known types are none/)
    // a huge type is cut in the message
    expect(() => strategy(1, 'x'.repeat(10_000), boom, job('1'))).toThrow(/"x{100}\.\.\."; the known/)
  })

  it("refuses the names BullMQ never hands to a custom strategy: its own types and Object.prototype's", () => {
    for (const name of ['fixed', 'exponential', 'constructor', 'toString', 'hasOwnProperty', '__proto__']) {
      const schedules = Object.defineProperty({}, name, { value: S.constant(10), enumerable: true })
      expect(() => BullMQ.backoffStrategy(schedules)).toThrow(
        new RangeError(
          `BullMQ.backoffStrategy: the backoff type "${name}" is taken: BullMQ looks it up among its built-in ` +
            'strategies and never calls a custom one for it; choose another name'
        )
      )
    }
  })

  it('validates the schedules when it is called', () => {
    expect(() => BullMQ.backoffStrategy(null as never)).toThrow(
      new TypeError('BullMQ.backoffStrategy: schedules must be an object of schedules by backoff type')
    )
    expect(() => BullMQ.backoffStrategy([S.forever] as never)).toThrow(TypeError)
    expect(() => BullMQ.backoffStrategy('fast' as never)).toThrow(TypeError)
    expect(() => BullMQ.backoffStrategy({ fast: 10 as never })).toThrow(
      new TypeError('BullMQ.backoffStrategy: schedules["fast"] must be a Schedule')
    )
    expect(() => BullMQ.backoffStrategy({ fast: { initial: 0 } as never })).toThrow(TypeError)
  })

  it("keeps its own copy: changing the caller's object afterwards changes nothing", () => {
    const schedules: Record<string, S.Schedule<Error | undefined, unknown>> = { fast: S.constant(10) }
    const strategy = BullMQ.backoffStrategy(schedules)
    schedules.fast = S.constant(99)
    schedules.slow = S.constant(1_000)
    expect(strategy(1, 'fast', boom, job('1'))).toBe(10)
    expect(() => strategy(1, 'slow', boom, job('1'))).toThrow(RangeError)
  })

  it('validates what BullMQ passes: attemptsMade and the job', () => {
    const strategy = BullMQ.backoffStrategy({ fast: S.constant(10) })
    expect(() => strategy(0, 'fast', boom, job('1'))).toThrow(
      new RangeError('BullMQ.backoffStrategy: attemptsMade must be an integer >= 1, got 0')
    )
    expect(() => strategy(1.5, 'fast', boom, job('1'))).toThrow(RangeError)
    expect(() => strategy(NaN, 'fast', boom, job('1'))).toThrow(RangeError)
    expect(() => strategy('1' as never, 'fast', boom, job('1'))).toThrow(TypeError)
    expect(() => strategy(1, 'fast', boom)).toThrow(
      new TypeError('BullMQ.backoffStrategy: job must be a BullMQ job, got undefined')
    )
    expect(() => strategy(1, 'fast', boom, null as never)).toThrow(
      new TypeError('BullMQ.backoffStrategy: job must be a BullMQ job, got null')
    )
    expect(() => strategy(1, 'fast', boom, { timestamp: 0 })).toThrow(
      new TypeError('BullMQ.backoffStrategy: job.id must be a string, got undefined')
    )
    expect(() => strategy(1, 'fast', boom, { id: 7 as never, timestamp: 0 })).toThrow(TypeError)
    expect(() => strategy(1, 'fast', boom, { id: null as never, timestamp: 0 })).toThrow(/got null/)
    expect(() => strategy(1, 'fast', boom, { id: '1', timestamp: NaN })).toThrow(
      new RangeError('BullMQ.backoffStrategy: job.timestamp must be a finite number of epoch ms, got NaN')
    )
    expect(() => strategy(1, 'fast', boom, { id: '1', timestamp: '0' as never })).toThrow(TypeError)
  })

  it("types: it is BullMQ's BackoffStrategy, a worker's settings take it, and a BullMQ job is a BackoffJob", () => {
    const strategy = BullMQ.backoffStrategy({ jittered })
    expectTypeOf(strategy).toMatchTypeOf<BullBackoffStrategy>()
    const settings: WorkerOptions['settings'] = { backoffStrategy: strategy }
    expect(settings?.backoffStrategy).toBe(strategy)
    expectTypeOf<MinimalJob>().toMatchTypeOf<BullMQ.BackoffJob>()
    // a schedule stepped with errors only does not fit: BullMQ's type allows a missing error
    const errorsOnly: S.Schedule<Error, number> = S.constant(10)
    // @ts-expect-error: the input must accept undefined
    expect(() => BullMQ.backoffStrategy({ errorsOnly })).not.toThrow()
  })
})

describe('jobOptions', () => {
  it('returns attempts: MAX_SAFE_INTEGER and the backoff type, so the schedule decides when to stop', () => {
    expect(BullMQ.jobOptions('payment')).toEqual({ attempts: Number.MAX_SAFE_INTEGER, backoff: { type: 'payment' } })
  })

  it("types: its result is a BullMQ job's options, with the type kept literal", () => {
    const options: JobsOptions = { ...BullMQ.jobOptions('payment'), removeOnComplete: true }
    expect(options.attempts).toBe(Number.MAX_SAFE_INTEGER)
    expectTypeOf(BullMQ.jobOptions('payment').backoff.type).toEqualTypeOf<'payment'>()
  })

  it('validates the type when it is called', () => {
    expect(() => BullMQ.jobOptions(42 as never)).toThrow(
      new TypeError('BullMQ.jobOptions: type must be a string, got number')
    )
    expect(() => BullMQ.jobOptions(null as never)).toThrow(
      new TypeError('BullMQ.jobOptions: type must be a string, got null')
    )
    expect(() => BullMQ.jobOptions('exponential')).toThrow(
      new RangeError(
        'BullMQ.jobOptions: the backoff type "exponential" is taken: BullMQ looks it up among its built-in ' +
          'strategies and never calls a custom one for it; choose another name'
      )
    )
    expect(() => BullMQ.jobOptions('constructor')).toThrow(RangeError)
  })
})

describe('the module', () => {
  it('never imports bullmq at run time (an optional peer dependency): its types are structural', () => {
    const source = fs.readFileSync(path.join(__dirname, '..', 'src', 'BullMQ.ts'), 'utf8')
    expect(source).not.toMatch(/from ['"]bullmq['"]|require\(['"]bullmq['"]\)|import\(['"]bullmq['"]\)/)
  })
})

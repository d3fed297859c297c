import { pipe } from 'fp-ts/function'
import { describe, expect, it } from 'vitest'
import { formatMs, sample, seeds } from '../src/internal/explain'
import * as S from '../src/Schedule'

// the report itself is tested through the command, in cli.test.ts

describe('sample', () => {
  it('refuses as soon as the sampled runs pass the limit, when the probes looked shorter', () => {
    // runs of 11 retries: the 46th seed passes a budget of 500
    const schedule = pipe(S.constant(10), S.jittered, S.maxRetries(11), S.delays)
    const sampled = sample(schedule, seeds(45), 20, 0, 500)
    expect(sampled.lengths).toEqual(Array(45).fill(11))
    expect(sampled.delays).toHaveLength(11)
    expect(sampled.delays[10]).toHaveLength(45)
    expect(() => sample(schedule, seeds(46), 20, 0, 500)).toThrow(
      '--samples 46 is too many for this policy: it would simulate about 506 retries (11 per seed), more than the limit of 500; use --samples 45 or fewer'
    )
  })

  it('keeps at most `limit` retries of each run, and counts the runs that go on', () => {
    const sampled = sample(pipe(S.constant(5), S.delays), seeds(3), 4, 2)
    expect(sampled.lengths).toEqual([4, 4, 4])
    expect(sampled.unfinished).toBe(3)
    expect(sampled.delays).toEqual(Array(4).fill([5, 5, 5]))
    expect(sampled.starts.map((column) => column[0])).toEqual([7, 14, 21, 28])
    expect(sampled.largestTotal).toBe(20)
  })
})

describe('formatMs', () => {
  it('writes durations for people', () => {
    const cases: ReadonlyArray<readonly [number, string]> = [
      [0, '0ms'],
      [0.123, '0.12ms'],
      [5, '5ms'],
      [12.34, '12.3ms'],
      [850.4, '850ms'],
      [1000, '1s'],
      [1250, '1.25s'],
      [59_999, '60s'],
      [60_000, '1m'],
      [125_000, '2m 5s'],
      [3_600_000, '1h'],
      [5_400_000, '1h 30m'],
      [86_400_000, '1d'],
      [90_000_000, '1d 1h'],
      [Number.MAX_SAFE_INTEGER, '104,249,991d 9h']
    ]
    for (const [ms, text] of cases) {
      expect(formatMs(ms)).toBe(text)
    }
  })
})

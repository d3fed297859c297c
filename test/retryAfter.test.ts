import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import * as O from 'fp-ts/Option'
import type * as TE from 'fp-ts/TaskEither'
import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseRetryAfter } from '../src/internal/retryAfter'
import * as S from '../src/Schedule'
import * as Retry from '../src/TaskEither'
import * as TestClock from '../src/TestClock'

// Wed, 21 Oct 2015 07:27:00 GMT
const now = Date.UTC(2015, 9, 21, 7, 27, 0)

describe('parseRetryAfter', () => {
  it('reads a number of seconds', () => {
    expect(parseRetryAfter('120', now)).toEqual(O.some(120_000))
    expect(parseRetryAfter('0', now)).toEqual(O.some(0))
    expect(parseRetryAfter(' 5 ', now)).toEqual(O.some(5000))
    expect(parseRetryAfter('007', now)).toEqual(O.some(7000))
  })

  it('saturates a huge number of seconds at Number.MAX_SAFE_INTEGER', () => {
    expect(parseRetryAfter('9'.repeat(30), now)).toEqual(O.some(Number.MAX_SAFE_INTEGER))
    expect(parseRetryAfter('9007199254740991', now)).toEqual(O.some(Number.MAX_SAFE_INTEGER))
  })

  it('reads the three HTTP date formats as the time left until then', () => {
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', now)).toEqual(O.some(60_000))
    expect(parseRetryAfter('Wednesday, 21-Oct-15 07:28:00 GMT', now)).toEqual(O.some(60_000))
    expect(parseRetryAfter('Wed Oct 21 07:28:00 2015', now)).toEqual(O.some(60_000))
    expect(parseRetryAfter('Thu Oct 22 07:27:00 2015', now)).toEqual(O.some(24 * 3600 * 1000))
  })

  it('reads the asctime day with a leading space', () => {
    const early = Date.UTC(2015, 9, 1, 7, 0, 0)
    expect(parseRetryAfter('Thu Oct  1 07:00:30 2015', early)).toEqual(O.some(30_000))
  })

  it('accepts names in any case and a leap second', () => {
    expect(parseRetryAfter('wed, 21 OCT 2015 07:28:00 gmt', now)).toEqual(O.some(60_000))
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:27:60 GMT', now)).toEqual(O.some(60_000))
  })

  it('gives 0 for a date in the past', () => {
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:26:00 GMT', now)).toEqual(O.some(0))
    expect(parseRetryAfter('Sun, 06 Nov 1994 08:49:37 GMT', now)).toEqual(O.some(0))
    expect(parseRetryAfter('Mon, 01 Jan 0001 00:00:00 GMT', now)).toEqual(O.some(0))
  })

  it('reads a two-digit year as RFC 9110 says: never more than 50 years ahead', () => {
    // in 2015, "64" is 2064 (49 years ahead) and "66" is 1966 (51 years ahead would be too far)
    expect(parseRetryAfter('Monday, 21-Oct-64 07:27:00 GMT', now)).toEqual(O.some(Date.UTC(2064, 9, 21, 7, 27) - now))
    expect(parseRetryAfter('Thursday, 21-Oct-66 07:27:00 GMT', now)).toEqual(O.some(0))
    const in2001 = Date.UTC(2001, 0, 1)
    expect(parseRetryAfter('Friday, 31-Dec-99 23:59:59 GMT', in2001)).toEqual(O.some(0)) // 1999, not 2099
    expect(parseRetryAfter('Saturday, 01-Jan-50 00:00:00 GMT', in2001)).toEqual(O.some(Date.UTC(2050, 0, 1) - in2001))
  })

  it('gives none for a missing or invalid header', () => {
    const invalid = [
      null,
      undefined,
      '',
      '   ',
      '1.5',
      '-1',
      '+3',
      '1e3',
      '0x10',
      '12 s',
      'soon',
      'Wed, 21 Oct 2015 07:28:00', // no GMT
      'Wed, 21 Oct 2015 07:28:00 UTC',
      'Wed, 21 Oct 15 07:28:00 GMT', // two-digit year in the preferred format
      'Wed, 31 Feb 2015 07:28:00 GMT', // no such day
      'Wed, 21 Oct 2015 24:00:00 GMT',
      'Wed, 21 Oct 2015 07:60:00 GMT',
      'Wed, 21 Oct 2015 07:28:61 GMT',
      'Wed, 21 Foo 2015 07:28:00 GMT',
      'Wed, 1 Oct 2015 07:28:00 GMT', // the day takes two digits
      '2015-10-21T07:28:00Z'
    ]
    for (const header of invalid) {
      expect(parseRetryAfter(header, now)).toEqual(O.none)
    }
  })

  it('compares dates with Date.now() by default', () => {
    const later = new Date(Date.now() + 3_600_000).toUTCString()
    const wait = parseRetryAfter(later)
    expect(O.isSome(wait) && wait.value > 3_590_000 && wait.value <= 3_600_000).toBe(true)
  })

  it('rejects a now that is not a finite number', () => {
    expect(() => parseRetryAfter('1', NaN)).toThrow(RangeError)
    expect(() => parseRetryAfter('1', Infinity)).toThrow(
      'Schedule.parseRetryAfter: now must be a finite number, got Infinity'
    )
  })

  it('never throws and never gives a negative, NaN or unsafe delay', () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 0, max: 8_000_000_000_000 }), (header, at) => {
        const wait = parseRetryAfter(header, at)
        return O.isNone(wait) || (wait.value >= 0 && wait.value <= Number.MAX_SAFE_INTEGER)
      })
    )
  })

  it('reads back any date written by toUTCString, to the second', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 253_402_300_799_000 }), // 1970 to the end of 9999
        fc.integer({ min: 0, max: 253_402_300_799_000 }),
        (date, at) => {
          const expected = Math.max(0, Math.floor(date / 1000) * 1000 - at)
          expect(parseRetryAfter(new Date(date).toUTCString(), at)).toEqual(O.some(expected))
        }
      )
    )
  })

  it('reads back any number of seconds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9_007_199_254 }), (seconds) => {
        expect(parseRetryAfter(String(seconds), now)).toEqual(O.some(seconds * 1000))
      })
    )
  })
})

describe('the Retry-After recipe', () => {
  interface HttpError {
    readonly response: Response
  }
  const overloaded = (retryAfter?: string): HttpError => ({
    response: new Response(null, {
      status: 503,
      headers: retryAfter === undefined ? {} : { 'retry-after': retryAfter }
    })
  })

  // wait what the server asks for, but never less than the backoff and never more than 30 s
  const policy = pipe(
    S.exponential(100),
    S.fullJitter,
    S.withDelayHint((e: HttpError) => parseRetryAfter(e.response.headers.get('retry-after'), now)),
    S.capDelay(30_000),
    S.maxRetries(5)
  )

  it('waits what the server asks for, bounded by capDelay', async () => {
    const answers = [
      overloaded('2'),
      overloaded('Wed, 21 Oct 2015 07:27:10 GMT'),
      overloaded('86400'), // a day: capped
      overloaded('Wed, 21 Oct 2015 07:26:00 GMT'), // past: the backoff
      overloaded('garbage') // invalid: the backoff
    ]
    let attempt = 0
    const call: TE.TaskEither<HttpError, string> = () =>
      Promise.resolve(attempt < answers.length ? E.left(answers[attempt++]) : E.right('ok'))
    const clock = TestClock.make()
    const result = pipe(call, Retry.retry(policy, { clock, random: () => 0.5 }))()
    await clock.runAll()
    expect(await result).toEqual(E.right('ok'))
    // full jitter with random 0.5 gives half the backoff: 50, 100, 200, 400, 800
    expect(clock.sleeps).toEqual([2000, 10_000, 30_000, 400, 800])
  })

  it('never sleeps longer than the cap, whatever the header', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.nat().map(String), fc.stringMatching(/^[\x20-\x7e]{0,40}$/)), {
          minLength: 1,
          maxLength: 5
        }),
        (headers) => {
          const inputs = headers.map(overloaded)
          const delays = pipe(policy, S.simulate({ steps: 5, inputs })).map((s) => s.delay)
          return delays.every((d) => d >= 0 && d <= 30_000)
        }
      ),
      { numRuns: 200 }
    )
  })
})

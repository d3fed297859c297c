/**
 * Reads an HTTP `Retry-After` header (RFC 9110, section 10.2.3) as the time to wait, for
 * `Schedule.withDelayHint`.
 *
 * @internal
 */
import type { Option } from 'fp-ts/Option'
import { MAX_DELAY } from './check'
import { none, some } from './fp'

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec']

const DAY = '(?:mon|tue|wed|thu|fri|sat|sun)'
const LONG_DAY = '(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)'
const MONTH = '(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)'
const TIME = '(\\d{2}):(\\d{2}):(\\d{2})'

// Sun, 06 Nov 1994 08:49:37 GMT (the preferred format)
const IMF_FIXDATE = /* @__PURE__ */ new RegExp(`^${DAY}, (\\d{2}) ${MONTH} (\\d{4}) ${TIME} GMT$`, 'i')
// Sunday, 06-Nov-94 08:49:37 GMT (obsolete RFC 850 format)
const RFC_850 = /* @__PURE__ */ new RegExp(`^${LONG_DAY}, (\\d{2})-${MONTH}-(\\d{2}) ${TIME} GMT$`, 'i')
// Sun Nov  6 08:49:37 1994 (obsolete asctime format, always GMT)
const ASCTIME = /* @__PURE__ */ new RegExp(`^${DAY} ${MONTH} ( \\d|\\d{2}) ${TIME} (\\d{4})$`, 'i')
const SECONDS = /^\d+$/

/** Epoch ms of a date and time, or NaN when the day does not exist or the time is out of range. */
const utc = (year: number, month: string, day: number, hour: number, minute: number, second: number): number => {
  const m = MONTHS.indexOf(month.toLowerCase())
  // a leap second (60) is allowed by the grammar; it is read as the next second
  if (hour > 23 || minute > 59 || second > 60) {
    return NaN
  }
  // setUTCFullYear, unlike Date.UTC, does not read years 0 to 99 as 1900 to 1999
  const date = new Date(0)
  const ms = date.setUTCFullYear(year, m, day)
  return date.getUTCDate() === day ? ms + ((hour * 60 + minute) * 60 + second) * 1000 : NaN
}

/** RFC 9110: a two-digit year more than 50 years in the future is the most recent past year with those digits. */
const fullYear = (twoDigits: number, now: number): number => {
  const current = new Date(now).getUTCFullYear()
  let year = current - (current % 100) + twoDigits
  if (year > current + 50) {
    year -= 100
  }
  return year
}

const parseDate = (value: string, now: number): number => {
  let match = IMF_FIXDATE.exec(value)
  if (match !== null) {
    return utc(+match[3], match[2], +match[1], +match[4], +match[5], +match[6])
  }
  match = RFC_850.exec(value)
  if (match !== null) {
    return utc(fullYear(+match[3], now), match[2], +match[1], +match[4], +match[5], +match[6])
  }
  match = ASCTIME.exec(value)
  if (match !== null) {
    return utc(+match[6], match[1], +match[2], +match[3], +match[4], +match[5])
  }
  return NaN
}

/**
 * The time to wait that an HTTP `Retry-After` header asks for, in ms: `some(ms)` for a number of
 * seconds (`"120"`) or an HTTP date (`"Wed, 21 Oct 2015 07:28:00 GMT"`, or either obsolete date
 * format), `none` for a missing or invalid header.
 *
 * A date is compared with `now`, the current time in epoch ms (default `Date.now()`; the live
 * clock's `now()` and a `TestClock` started at a date are epoch ms too); a date in the past gives
 * `some(0)`. A number of
 * seconds too large for a delay gives `Number.MAX_SAFE_INTEGER`: bound it with `capDelay`. Leading
 * and trailing spaces are ignored, and names of days and months may be in any case; anything else
 * outside RFC 9110's grammar (`"1.5"`, `"-1"`, `"+3"`, a date without `GMT`) is invalid.
 *
 * Throws a `RangeError` when `now` is not a finite number.
 */
export const parseRetryAfter = (header: string | null | undefined, now: number = Date.now()): Option<number> => {
  if (!Number.isFinite(now)) {
    throw new RangeError(`Schedule.parseRetryAfter: now must be a finite number, got ${now}`)
  }
  if (typeof header !== 'string') {
    return none
  }
  const value = header.trim()
  if (SECONDS.test(value)) {
    const ms = Number(value) * 1000
    return some(ms < MAX_DELAY ? ms : MAX_DELAY)
  }
  const date = parseDate(value, now)
  return Number.isNaN(date) ? none : some(Math.min(MAX_DELAY, Math.max(0, date - now)))
}

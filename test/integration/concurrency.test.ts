/**
 * A thousand concurrent retried calls sharing one schedule value and one budget, against a flaky
 * server on 127.0.0.1; then a thousand aborted at once by one signal. Every call must end with its
 * own attempt count (the server counts per call id), the budget's books must balance, and each test
 * must leave the process as it found it: no timer, socket, listening server or abort listener of
 * its own, no unhandled rejection, no warning.
 *
 * No assertion depends on how fast the machine is: the abort is judged by the turns of the event
 * loop the calls take to settle and by the requests the server receives after it, never by
 * milliseconds.
 */
import { getEventListeners, setMaxListeners } from 'node:events'
import type * as http from 'node:http'
import { pipe } from 'fp-ts/function'
import * as O from 'fp-ts/Option'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import * as Budget from '../../src/Budget'
import * as S from '../../src/Schedule'
import * as Retry from '../../src/TaskEither'
import { nextTurn, nothingLeft, until, watchLeaks } from '../helpers'
import {
  answer,
  fate,
  get,
  hang,
  type HttpError,
  makeAgent,
  reset,
  seeded,
  startServer,
  type TestServer
} from './server'

const CALLS = 1000
const SEED = 20240508
const MAX_RETRIES = 8
/** Of the attempts, 20% get a 503 and 10% a connection reset, by the fate of (call id, attempt number). */
const FAIL_503 = 0.2
const FAIL_RESET = 0.3

// one schedule value for every call of this file
const policy = pipe(S.exponential(2), S.fullJitter, S.capDelay(20), S.maxRetries(MAX_RETRIES))

/** The attempts call `id` needs by the fates alone: the first that does not fail, or all 9 when all do. */
const expectedAttempts = (id: number): number => {
  for (let n = 1; n <= MAX_RETRIES + 1; n++) {
    if (fate(SEED, id, n) >= FAIL_RESET) return n
  }
  return MAX_RETRIES + 1
}

/** What attempt `n` of call `id` ends with, by its fate. */
const outcome = (id: number, n: number): unknown => {
  const f = fate(SEED, id, n)
  return f < FAIL_503
    ? { _tag: 'Left', left: { _tag: 'Status', status: 503, body: 'busy' } }
    : f < FAIL_RESET
    ? { _tag: 'Left', left: { _tag: 'Network', code: 'ECONNRESET' } }
    : { _tag: 'Right', right: { status: 200, body: `ok ${id} ${n}` } }
}

const flaky = ({ key, count }: { readonly key: string; readonly count: number }) => {
  const id = Number(key)
  const f = fate(SEED, id, count)
  // answers take 0..3 ms, so calls overlap on the server too
  const after = Math.floor(fate(SEED + 1, id, count) * 4)
  return f < FAIL_503 ? answer(503, 'busy', after) : f < FAIL_RESET ? reset : answer(200, `ok ${id} ${count}`, after)
}

interface CallRecord {
  readonly id: number
  readonly attempts: Array<number>
  readonly retries: Array<Retry.RetryEvent<HttpError>>
  result?: unknown
}

// what the running test opened, closed after it whatever its outcome, then checked for leaks
let server: TestServer | undefined
let agent: http.Agent | undefined
let leaks: ReturnType<typeof watchLeaks>

beforeEach(() => {
  leaks = watchLeaks()
})

afterEach(async () => {
  agent?.destroy()
  agent = undefined
  await server?.close()
  server = undefined
  const left = await leaks.leftBehind()
  vi.restoreAllMocks()
  expect(left).toEqual(nothingLeft)
})

/** Starts `CALLS` calls at once, each with its own id and records, sharing `policy` and `options`. */
const startCalls = (
  url: string,
  options: { readonly budget: Budget.Budget; readonly signal: AbortSignal }
): { readonly records: ReadonlyArray<CallRecord>; readonly done: Promise<void> } => {
  const records: Array<CallRecord> = []
  const runs: Array<Promise<void>> = []
  for (let id = 0; id < CALLS; id++) {
    const record: CallRecord = { id, attempts: [], retries: [] }
    records.push(record)
    const call = Retry.retryWithContext(policy, {
      ...options,
      random: seeded(id),
      onRetry: (event: Retry.RetryEvent<HttpError>) => record.retries.push(event)
    })(({ attempt, signal }) => {
      record.attempts.push(attempt)
      return get(url, { agent: agent as http.Agent, key: String(id), signal })
    })
    runs.push(
      call().then((result) => {
        record.result = result
      })
    )
  }
  return { records, done: Promise.all(runs).then(() => undefined) }
}

/** Fails instead of hanging: every call must end within `ms`. */
const within = <A>(promise: Promise<A>, ms: number, what: string): Promise<A> => {
  let timer: ReturnType<typeof setTimeout> | undefined
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not end within ${ms} ms`)), ms)
    })
  ]).finally(() => clearTimeout(timer))
}

const checkAttempts = (records: ReadonlyArray<CallRecord>, perKey: Map<string, number>): void => {
  for (const record of records) {
    const n = record.attempts.length
    // each call numbered its attempts 1..n, reported n - 1 retries, and the server saw exactly n requests
    expect(record.attempts).toEqual(Array.from({ length: n }, (_, i) => i + 1))
    expect(record.retries.map((e) => e.attempt)).toEqual(record.attempts.slice(0, -1))
    expect(perKey.get(String(record.id))).toBe(n)
  }
}

describe(`${CALLS} concurrent calls, one schedule, one budget, a flaky server`, () => {
  it('a generous token bucket: every call ends with exactly the attempts its fates call for', async () => {
    const fates = Array.from({ length: CALLS }, (_, id) => expectedAttempts(id))
    const failures = fates.reduce((sum, n, id) => sum + n - 1 + (fate(SEED, id, n) < FAIL_RESET ? 1 : 0), 0)
    // precondition of "never denies": even if every failure came first, tokens stay above maxTokens / 2
    expect(failures).toBeLessThan(500)
    const budget = Budget.tokenBucket({ maxTokens: 1000, tokenRatio: 1 })
    const controller = new AbortController()
    setMaxListeners(CALLS + 10, controller.signal)
    server = await startServer(flaky)
    agent = makeAgent()
    const { records, done } = startCalls(server.url, { budget, signal: controller.signal })
    await within(done, 20_000, 'the calls')

    checkAttempts(records, server.perKey)
    for (const record of records) {
      const n = fates[record.id]
      expect(record.attempts.length).toBe(n)
      // the answer to its last attempt: a success, or the last fault once the schedule was done
      expect(record.result).toEqual(outcome(record.id, n))
    }
    const attempts = records.reduce((sum, r) => sum + r.attempts.length, 0)
    expect(server.totals.requests).toBe(attempts)
    expect(budget.stats()).toMatchObject({
      requests: CALLS,
      successes: server.totals.succeeded,
      failures: server.totals.faults,
      retries: attempts - CALLS,
      denied: 0
    })
    expect(budget.stats().successes + budget.stats().failures).toBe(attempts)
    expect(failures).toBe(server.totals.faults)
    // every listener the calls put on the shared signal is gone (node:http drops its own when the
    // request closes, a turn after its response ended)
    await until(() => getEventListeners(controller.signal, 'abort').length === 0)
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0)
    console.log(
      `concurrency: ${CALLS} calls, ${attempts} attempts, ${server.totals.faults} faults injected, ` +
        `${records.filter((r) => r.retries.length > 0).length} calls retried, ${budget.stats().denied} retries denied`
    )
  }, 30_000)

  it('a tight percent budget: 100 retries granted, the rest denied, and the books balance', async () => {
    // no reserve, one retry per 10 calls, calls remembered for 10 s (longer than the run)
    const budget = Budget.percent({ ttl: 10_000, minRetriesPerSec: 0, percentCanRetry: 0.1 })
    const controller = new AbortController()
    setMaxListeners(CALLS + 10, controller.signal)
    server = await startServer(flaky)
    agent = makeAgent()
    const { records, done } = startCalls(server.url, { budget, signal: controller.signal })
    await within(done, 20_000, 'the calls')

    checkAttempts(records, server.perKey)
    let denied = 0
    for (const record of records) {
      const n = record.attempts.length
      const wanted = expectedAttempts(record.id)
      expect(n).toBeLessThanOrEqual(wanted)
      // the answer to its last attempt; a fault before the schedule was done means the budget said no
      expect(record.result).toEqual(outcome(record.id, n))
      if (n < wanted) denied++
    }
    const attempts = records.reduce((sum, r) => sum + r.attempts.length, 0)
    const stats = budget.stats()
    expect(stats.requests).toBe(CALLS)
    expect(stats.successes + stats.failures).toBe(attempts)
    expect(stats.failures).toBe(server.totals.faults)
    expect(stats.retries).toBe(attempts - CALLS)
    // 1000 calls deposit enough for exactly 100 retries, and far more are wanted
    expect(stats.retries).toBe(100)
    expect(stats.denied).toBe(denied)
    expect(denied).toBeGreaterThan(0)
    await until(() => getEventListeners(controller.signal, 'abort').length === 0)
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0)
    console.log(
      `concurrency: ${CALLS} calls, ${attempts} attempts, ${server.totals.faults} faults injected, ` +
        `${records.filter((r) => r.retries.length > 0).length} calls retried, ${budget.stats().denied} retries denied`
    )
  }, 30_000)

  it('aborting all of them mid-flight settles every call within one turn of the event loop, and no request follows', async () => {
    const { turns, inFlight, faults } = await abortRound(CALLS, SEED + 2)
    expect(inFlight).toBeGreaterThan(0)
    console.log(
      `concurrency: ${CALLS} calls aborted (${
        CALLS - inFlight
      } asleep, ${inFlight} in flight; ${faults} faults injected), ` +
        `every one settled within ${turns} turn(s) of the event loop`
    )
  }, 30_000)
})

/** How many turns of the event loop every call may take to settle after the abort. */
const TURNS_TO_SETTLE = 1

/**
 * Starts `calls` calls that share one signal and one budget and aborts them once each is either
 * sleeping (98%: a 503, then a 5 s delay) or in flight (1%: an answer that takes 10 s; 1%: a server
 * that never answers). Checks that every call settles within `TURNS_TO_SETTLE` turns of the event
 * loop after the abort, how each ended, and that the server receives no request after it; returns
 * the turns the calls took.
 */
const abortRound = async (
  calls: number,
  seed: number
): Promise<{ turns: number; inFlight: number; faults: number }> => {
  const sleeps = (id: number) => fate(seed, id, 1) < 0.98
  server = await startServer(({ key }) => {
    const f = fate(seed, Number(key), 1)
    return f < 0.98 ? answer(503, 'busy') : f < 0.99 ? answer(200, 'late', 10_000) : hang
  })
  const theServer = server
  agent = makeAgent()
  const theAgent = agent
  const slow = pipe(S.constant(5000), S.maxRetries(3))
  const controller = new AbortController()
  setMaxListeners(calls + 10, controller.signal)
  // shared, and generous enough to grant every first retry
  const budget = Budget.tokenBucket({ maxTokens: 10_000, tokenRatio: 1 })
  const records: Array<CallRecord> = []
  const runs: Array<Promise<void>> = []
  try {
    for (let id = 0; id < calls; id++) {
      const record: CallRecord = { id, attempts: [], retries: [] }
      records.push(record)
      const call = Retry.retryWithContext(slow, {
        signal: controller.signal,
        budget,
        onRetry: (event: Retry.RetryEvent<HttpError>) => record.retries.push(event)
      })(({ attempt, signal }) => {
        record.attempts.push(attempt)
        return get(theServer.url, { agent: theAgent, key: String(id), signal })
      })
      runs.push(
        call().then((result) => {
          record.result = result
        })
      )
    }
    const sleepers = records.filter((r) => sleeps(r.id)).length
    // wait (bounded) until every request has reached the server and every 503 has put its call to sleep
    const ready = () =>
      theServer.totals.requests === calls && records.reduce((sum, r) => sum + r.retries.length, 0) === sleepers
    await until(ready, 5_000)
    expect(ready()).toBe(true)
    expect(records.every((r) => r.result === undefined)).toBe(true)

    // the sleepers end with the abort's own listener, the requests in flight with their 'error' event
    // (a process.nextTick after the abort): none waits for a timer, the network or the server
    controller.abort()
    let turns = 0
    while (records.some((r) => r.result === undefined) && turns < TURNS_TO_SETTLE) {
      await nextTurn()
      turns++
    }
    const unsettled = records.filter((r) => r.result === undefined).length
    expect(unsettled, `calls still running ${turns} turns after the abort`).toBe(0)
    await within(Promise.all(runs), 5_000, 'the aborted calls')
    for (const record of records) {
      // each ended as Interrupted with its last error: the 503 for a sleeper, the aborted request otherwise
      expect(record.attempts).toEqual([1])
      expect(record.result).toEqual({
        _tag: 'Left',
        left: {
          _tag: 'Interrupted',
          lastError: O.some<HttpError>(
            sleeps(record.id) ? { _tag: 'Status', status: 503, body: 'busy' } : { _tag: 'Network', code: 'ABORT_ERR' }
          )
        }
      })
    }
    // the aborted requests were really cancelled: the server saw each of their connections close,
    // and no request came after the abort
    await until(() => theServer.openConnections() === 0)
    expect(theServer.openConnections()).toBe(0)
    expect(theServer.abandoned()).toBe(calls - sleepers)
    expect(theServer.totals.requests).toBe(calls)
    // every attempt failed (a 503, or aborted in flight); each sleeper was granted the retry the abort cancelled
    expect(budget.stats()).toMatchObject({
      requests: calls,
      successes: 0,
      failures: calls,
      retries: sleepers,
      denied: 0
    })
    return { turns, inFlight: calls - sleepers, faults: theServer.totals.faults }
  } finally {
    // a failed expectation must not leave calls running past the test
    controller.abort()
    await within(Promise.all(runs), 5_000, 'the aborted calls')
  }
}

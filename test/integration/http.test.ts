/**
 * Retrying real HTTP calls against servers on 127.0.0.1 that fail on purpose: error statuses under
 * every jitter kind, connection resets, a server that never answers, a server that is down and
 * then comes up. Each server counts what it receives; the client's count must match it exactly.
 *
 * Each test starts the servers it needs and closes them, and leaves no timer, socket, listening
 * server, unhandled rejection or warning behind. No assertion depends on how fast the machine is:
 * the server that is down comes up after the client's third refused connection, not after a time.
 */
import type * as http from 'node:http'
import { pipe } from 'fp-ts/function'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { type Clock, live } from '../../src/Clock'
import * as S from '../../src/Schedule'
import * as Retry from '../../src/TaskEither'
import { nothingLeft, until, watchLeaks } from '../helpers'
import {
  answer,
  type Arrival,
  fetchGet,
  freePort,
  get,
  hang,
  type HttpError,
  makeAgent,
  type Reply,
  reset,
  seeded,
  startServer,
  type TestServer
} from './server'

// what the running test opened, closed after it whatever its outcome, then checked for leaks
let servers: Array<TestServer> = []
let agent: http.Agent
let leaks: ReturnType<typeof watchLeaks>

beforeEach(() => {
  leaks = watchLeaks()
  agent = makeAgent()
})

afterEach(async () => {
  agent.destroy()
  for (const server of servers) await server.close()
  servers = []
  const left = await leaks.leftBehind()
  vi.restoreAllMocks()
  expect(left).toEqual(nothingLeft)
})

/** Starts a server for the running test, closed after it. */
const serve = async (handle: (arrival: Arrival) => Reply, port?: number): Promise<TestServer> => {
  const server = await startServer(handle, port)
  servers.push(server)
  return server
}

const isStatus = (status: number) => (e: unknown) =>
  typeof e === 'object' &&
  e !== null &&
  (e as HttpError)._tag === 'Status' &&
  (e as { status: number }).status === status

// -------------------------------------------------------------------------------------
// fails the first k requests, under each jitter kind
// -------------------------------------------------------------------------------------

describe('a server that fails the first k requests then succeeds', () => {
  // base delays 1, 2, 4, 8, 16 ms (n = 0 for the first retry); `within` bounds a jittered delay
  const base = (n: number) => 2 ** n
  const jitters: ReadonlyArray<{
    readonly name: string
    readonly schedule: S.Schedule<unknown, unknown>
    readonly within: (delay: number, n: number) => boolean
  }> = [
    {
      name: 'jittered',
      schedule: pipe(S.exponential(1), S.jittered),
      within: (d, n) => d >= 0.8 * base(n) && d < 1.2 * base(n)
    },
    {
      name: 'jitteredWith',
      schedule: pipe(S.exponential(1), S.jitteredWith({ min: 0.25, max: 2 })),
      within: (d, n) => d >= 0.25 * base(n) && d < 2 * base(n)
    },
    { name: 'fullJitter', schedule: pipe(S.exponential(1), S.fullJitter), within: (d, n) => d >= 0 && d < base(n) },
    {
      name: 'equalJitter',
      schedule: pipe(S.exponential(1), S.equalJitter),
      within: (d, n) => d >= base(n) / 2 && d < base(n)
    },
    {
      name: 'addJitter',
      schedule: pipe(S.exponential(1), S.addJitter([1, 3])),
      within: (d, n) => d >= base(n) + 1 && d < base(n) + 3
    },
    {
      name: 'decorrelatedJitter',
      schedule: S.decorrelatedJitter({ base: 1, cap: 16 }),
      within: (d) => d >= 1 && d <= 16
    }
  ]
  const MAX_RETRIES = 5

  it.each(jitters)(
    '$name: k = 0..5 succeed after k + 1 attempts, k = 6 exhausts 6; the server served 27 requests, 21 of them faults',
    async ({ name, schedule, within }) => {
      // the key is `${jitter}/${k}`: the first k requests of a key get a 503
      const server = await serve(({ key, count }) => {
        const k = Number(key.split('/')[1])
        return count <= k ? answer(503, 'busy') : answer(200, `ok ${key} after ${count}`)
      })
      const policy = pipe(schedule, S.maxRetries(MAX_RETRIES))
      const runs = [0, 1, 2, 3, 4, 5, 6].map(async (k) => {
        const key = `${name}/${k}`
        const attempts: Array<number> = []
        const events: Array<Retry.RetryEvent<HttpError>> = []
        const result = await Retry.retryWithContext(policy, {
          random: seeded(k + 1),
          onRetry: (event: Retry.RetryEvent<HttpError>) => events.push(event)
        })(({ attempt, signal }) => {
          attempts.push(attempt)
          return get(server.url, { agent, key, signal })
        })()
        return { k, key, attempts, events, result }
      })
      for (const { k, key, attempts, events, result } of await Promise.all(runs)) {
        const expected = Math.min(k, MAX_RETRIES) + 1
        // the server counted exactly the attempts the client made, numbered 1..n
        expect(server.perKey.get(key)).toBe(expected)
        expect(attempts).toEqual(Array.from({ length: expected }, (_, i) => i + 1))
        expect(events.map((e) => e.attempt)).toEqual(Array.from({ length: expected - 1 }, (_, i) => i + 1))
        expect(events.every((e) => isStatus(503)(e.error))).toBe(true)
        expect(events.every((e, n) => within(e.delay, n))).toBe(true)
        if (k <= MAX_RETRIES) {
          expect(result).toEqual({ _tag: 'Right', right: { status: 200, body: `ok ${key} after ${k + 1}` } })
        } else {
          expect(result).toEqual({ _tag: 'Left', left: { _tag: 'Status', status: 503, body: 'busy' } })
        }
      }
      // 1 + 2 + ... + 6 + 6 requests; all but the 6 successes are faults
      expect(server.totals).toMatchObject({ requests: 27, faults: 21, succeeded: 6 })
    }
  )
})

// -------------------------------------------------------------------------------------
// connection resets
// -------------------------------------------------------------------------------------

describe('connection resets', () => {
  // `reset-k` resets the first k connections; `reset-all` every one
  const resets = ({ key, count }: Arrival): Reply =>
    key === 'reset-all' || count <= Number(key.split('-')[1]) ? reset : answer(200, `ok after ${count}`)

  const policy = pipe(S.constant(2), S.maxRetries(5))
  const isReset = (e: HttpError) => e._tag === 'Network' && (e.code === 'ECONNRESET' || e.code === 'UND_ERR_SOCKET')

  it('node:http: three resets, then the answer', async () => {
    const server = await serve(resets)
    const errors: Array<HttpError> = []
    const result = await pipe(
      get(server.url, { agent, key: 'reset-3' }),
      Retry.retry(policy, { onRetry: (e: Retry.RetryEvent<HttpError>) => errors.push(e.error) })
    )()
    expect(result).toEqual({ _tag: 'Right', right: { status: 200, body: 'ok after 4' } })
    expect(server.perKey.get('reset-3')).toBe(4)
    expect(server.totals).toMatchObject({ requests: 4, resets: 3 })
    expect(errors).toHaveLength(3)
    expect(errors.every(isReset)).toBe(true)
  })

  it('fetch: two resets, then the answer', async () => {
    const server = await serve(resets)
    const errors: Array<HttpError> = []
    const result = await pipe(
      fetchGet(server.url, { key: 'reset-2' }),
      Retry.retry(policy, { onRetry: (e: Retry.RetryEvent<HttpError>) => errors.push(e.error) })
    )()
    expect(result).toEqual({ _tag: 'Right', right: { status: 200, body: 'ok after 3' } })
    expect(server.perKey.get('reset-2')).toBe(3)
    expect(server.totals).toMatchObject({ requests: 3, resets: 2 })
    expect(errors).toHaveLength(2)
    expect(errors.every(isReset)).toBe(true)
  })

  it('a server that always resets: the schedule ends the run with the last reset after 6 attempts', async () => {
    const server = await serve(resets)
    const result = await pipe(get(server.url, { agent, key: 'reset-all' }), Retry.retry(policy))()
    expect(result._tag === 'Left' && isReset(result.left)).toBe(true)
    expect(server.perKey.get('reset-all')).toBe(6)
    expect(server.totals).toMatchObject({ requests: 6, resets: 6 })
  })
})

// -------------------------------------------------------------------------------------
// a server that accepts and never answers
// -------------------------------------------------------------------------------------

describe('a server that accepts and never answers', () => {
  // `hang-k` hangs on the first k requests; `hang-all` on every one
  const hangs = ({ key, count }: Arrival): Reply =>
    key === 'hang-all' || count <= Number(key.split('-')[1]) ? hang : answer(200, `ok after ${count}`)

  const TIMEOUT = 60
  const policy = pipe(S.constant(2), S.maxRetries(3))

  /** The live clock, noting every sleep the runner asks for (the attempt timeouts are sleeps too). */
  const recording = (): Clock & { readonly asked: Array<number> } => {
    const asked: Array<number> = []
    return {
      asked,
      now: () => live.now(),
      sleep: (ms, signal) => {
        asked.push(ms)
        return live.sleep(ms, signal)
      }
    }
  }

  it('fetch with the attempt signal: each hanging attempt times out, is cancelled, and the third answers', async () => {
    const server = await serve(hangs)
    const clock = recording()
    const errors: Array<unknown> = []
    const started = performance.now()
    const result = await Retry.retryWithContext(policy, {
      clock,
      attemptTimeout: TIMEOUT,
      onRetry: (e: Retry.RetryEvent<unknown>) => errors.push(e.error)
    })(({ signal }) => fetchGet(server.url, { key: 'hang-2', signal }))()
    const took = performance.now() - started
    expect(result).toEqual({ _tag: 'Right', right: { status: 200, body: 'ok after 3' } })
    expect(server.perKey.get('hang-2')).toBe(3)
    expect(server.totals).toMatchObject({ requests: 3, hangs: 2 })
    expect(errors).toEqual([
      { _tag: 'AttemptTimeout', attempt: 1, timeout: TIMEOUT },
      { _tag: 'AttemptTimeout', attempt: 2, timeout: TIMEOUT }
    ])
    // each attempt had its timeout, each retry its 2 ms sleep, and nothing else was waited for;
    // the two timeouts really ran their course (a bound from below: a slow machine only adds to it)
    expect([...clock.asked].sort((a, b) => a - b)).toEqual([2, 2, TIMEOUT, TIMEOUT, TIMEOUT])
    expect(took).toBeGreaterThanOrEqual(2 * TIMEOUT - 5)
    // fetch really gave up the two hanging requests: the server saw their connections close
    await until(() => server.abandoned() >= 2 && server.openConnections() === 0)
    expect(server.abandoned()).toBe(2)
    expect(server.openConnections()).toBe(0)
  })

  it('node:http with the attempt signal: a server that never answers ends with AttemptTimeout of the last attempt', async () => {
    const server = await serve(hangs)
    const result = await Retry.retryWithContext(policy, { attemptTimeout: TIMEOUT })(({ signal }) =>
      get(server.url, { agent, key: 'hang-all', signal })
    )()
    expect(result).toEqual({ _tag: 'Left', left: { _tag: 'AttemptTimeout', attempt: 4, timeout: TIMEOUT } })
    expect(server.perKey.get('hang-all')).toBe(4)
    expect(server.totals).toMatchObject({ requests: 4, hangs: 4 })
    await until(() => server.abandoned() >= 4 && server.openConnections() === 0)
    expect(server.abandoned()).toBe(4)
    expect(server.openConnections()).toBe(0)
  })
})

// -------------------------------------------------------------------------------------
// a server that is down, then comes up
// -------------------------------------------------------------------------------------

describe('a server that is down, then comes up', () => {
  /** How many refused connections the client sees before the server starts listening. */
  const REFUSED = 3

  it.each(['node:http', 'fetch'] as const)(
    '%s: connection-refused errors are retried until the server listens',
    async (client) => {
      const port = await freePort()
      const url = `http://127.0.0.1:${port}/`
      const errors: Array<HttpError> = []
      let server: TestServer | undefined
      // bounded: at most 10 retries 5 ms apart; the server comes up after the third refusal, before
      // the sleep that follows it (the run waits for its listener)
      const policy = pipe(S.constant(5), S.maxRetries(10))
      const call = client === 'node:http' ? get(url, { agent, key: 'up' }) : fetchGet(url, { key: 'up' })
      const result = await pipe(
        call,
        Retry.retry(policy, {
          onRetry: async (e: Retry.RetryEvent<HttpError>) => {
            errors.push(e.error)
            if (errors.length === REFUSED) server = await serve(() => answer(200, 'up'), port)
          }
        })
      )()
      expect(result).toEqual({ _tag: 'Right', right: { status: 200, body: 'up' } })
      // refused while down, then the first request after it came up reached it
      expect(errors).toHaveLength(REFUSED)
      expect(errors.every((e) => e._tag === 'Network' && e.code === 'ECONNREFUSED')).toBe(true)
      expect(server?.perKey.get('up')).toBe(1)
      expect(server?.totals.requests).toBe(1)
    }
  )
})

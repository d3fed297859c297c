/**
 * Retrying real HTTP calls against servers on 127.0.0.1 that fail on purpose: error statuses under
 * every jitter kind, connection resets, a server that never answers, a server that is down and
 * then comes up. Each server counts what it receives; the client's count must match it exactly.
 */
import { pipe } from 'fp-ts/function'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as S from '../../src/Schedule'
import * as Retry from '../../src/TaskEither'
import {
  answer,
  fetchGet,
  freePort,
  get,
  hang,
  type HttpError,
  leaksOver,
  makeAgent,
  reset,
  resources,
  type ResourceCounts,
  seeded,
  startServer,
  type TestServer,
  trackTimers,
  until,
  watchProcess
} from './server'

// what every server of this file served, summed when it closes
const tally = { servers: 0, requests: 0, faults: 0, refused: 0, calls: 0, callsRetried: 0 }
const closing = async (server: TestServer): Promise<void> => {
  await server.close()
  tally.servers++
  tally.requests += server.totals.requests
  tally.faults += server.totals.faults
}

let baseline: ResourceCounts
let watch: ReturnType<typeof watchProcess>
let timers: ReturnType<typeof trackTimers>
const agent = makeAgent()

beforeAll(() => {
  baseline = resources()
  watch = watchProcess()
  timers = trackTimers()
})

afterAll(() => {
  agent.destroy()
  timers.stop()
  watch.stop()
})

const isStatus = (status: number) => (e: unknown) =>
  typeof e === 'object' &&
  e !== null &&
  (e as HttpError)._tag === 'Status' &&
  (e as { status: number }).status === status

// -------------------------------------------------------------------------------------
// fails the first k requests, under each jitter kind
// -------------------------------------------------------------------------------------

describe('a server that fails the first k requests then succeeds', () => {
  let server: TestServer
  beforeAll(async () => {
    // the key is `${jitter}/${k}`: the first k requests of a key get a 503
    server = await startServer(({ key, count }) => {
      const k = Number(key.split('/')[1])
      return count <= k ? answer(503, 'busy') : answer(200, `ok ${key} after ${count}`)
    })
  })
  afterAll(() => closing(server))

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
    '$name: k = 0..5 succeed after k + 1 attempts, k = 6 exhausts 6',
    async ({ name, schedule, within }) => {
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
        tally.calls++
        if (events.length > 0) tally.callsRetried++
      }
    }
  )

  it('served 27 requests per jitter kind, 21 of them faults', () => {
    expect(server.totals.requests).toBe(27 * jitters.length)
    expect(server.totals.faults).toBe(21 * jitters.length)
    expect(server.totals.succeeded).toBe(6 * jitters.length)
  })
})

// -------------------------------------------------------------------------------------
// connection resets
// -------------------------------------------------------------------------------------

describe('connection resets', () => {
  let server: TestServer
  beforeAll(async () => {
    // `reset-k` resets the first k connections; `reset-all` every one
    server = await startServer(({ key, count }) =>
      key === 'reset-all' || count <= Number(key.split('-')[1]) ? reset : answer(200, `ok after ${count}`)
    )
  })
  afterAll(() => closing(server))

  const policy = pipe(S.constant(2), S.maxRetries(5))
  const isReset = (e: HttpError) => e._tag === 'Network' && (e.code === 'ECONNRESET' || e.code === 'UND_ERR_SOCKET')

  it('node:http: three resets, then the answer', async () => {
    const errors: Array<HttpError> = []
    const result = await pipe(
      get(server.url, { agent, key: 'reset-3' }),
      Retry.retry(policy, { onRetry: (e: Retry.RetryEvent<HttpError>) => errors.push(e.error) })
    )()
    expect(result).toEqual({ _tag: 'Right', right: { status: 200, body: 'ok after 4' } })
    expect(server.perKey.get('reset-3')).toBe(4)
    expect(errors).toHaveLength(3)
    expect(errors.every(isReset)).toBe(true)
    tally.calls++
    tally.callsRetried++
  })

  it('fetch: two resets, then the answer', async () => {
    const errors: Array<HttpError> = []
    const result = await pipe(
      fetchGet(server.url, { key: 'reset-2' }),
      Retry.retry(policy, { onRetry: (e: Retry.RetryEvent<HttpError>) => errors.push(e.error) })
    )()
    expect(result).toEqual({ _tag: 'Right', right: { status: 200, body: 'ok after 3' } })
    expect(server.perKey.get('reset-2')).toBe(3)
    expect(errors).toHaveLength(2)
    expect(errors.every(isReset)).toBe(true)
    tally.calls++
    tally.callsRetried++
  })

  it('a server that always resets: the schedule ends the run with the last reset after 6 attempts', async () => {
    const result = await pipe(get(server.url, { agent, key: 'reset-all' }), Retry.retry(policy))()
    expect(result._tag === 'Left' && isReset(result.left)).toBe(true)
    expect(server.perKey.get('reset-all')).toBe(6)
    tally.calls++
    tally.callsRetried++
  })
})

// -------------------------------------------------------------------------------------
// a server that accepts and never answers
// -------------------------------------------------------------------------------------

describe('a server that accepts and never answers', () => {
  let server: TestServer
  beforeAll(async () => {
    // `hang-k` hangs on the first k requests; `hang-all` on every one
    server = await startServer(({ key, count }) =>
      key === 'hang-all' || count <= Number(key.split('-')[1]) ? hang : answer(200, `ok after ${count}`)
    )
  })
  afterAll(() => closing(server))

  const TIMEOUT = 60
  const policy = pipe(S.constant(2), S.maxRetries(3))

  it('fetch with the attempt signal: each hanging attempt times out, is cancelled, and the third answers', async () => {
    const errors: Array<unknown> = []
    const started = performance.now()
    const result = await Retry.retryWithContext(policy, {
      attemptTimeout: TIMEOUT,
      onRetry: (e: Retry.RetryEvent<unknown>) => errors.push(e.error)
    })(({ signal }) => fetchGet(server.url, { key: 'hang-2', signal }))()
    const took = performance.now() - started
    expect(result).toEqual({ _tag: 'Right', right: { status: 200, body: 'ok after 3' } })
    expect(server.perKey.get('hang-2')).toBe(3)
    expect(errors).toEqual([
      { _tag: 'AttemptTimeout', attempt: 1, timeout: TIMEOUT },
      { _tag: 'AttemptTimeout', attempt: 2, timeout: TIMEOUT }
    ])
    // two timeouts and two small sleeps: generous upper bound, far from "hangs"
    expect(took).toBeGreaterThanOrEqual(2 * TIMEOUT - 5)
    expect(took).toBeLessThan(2000)
    // fetch really gave up the two hanging requests: the server saw their connections close
    await until(() => server.abandoned() >= 2 && server.openConnections() === 0)
    expect(server.abandoned()).toBe(2)
    expect(server.openConnections()).toBe(0)
    tally.calls++
    tally.callsRetried++
  })

  it('node:http with the attempt signal: a server that never answers ends with AttemptTimeout of the last attempt', async () => {
    const before = server.abandoned()
    const result = await Retry.retryWithContext(policy, { attemptTimeout: TIMEOUT })(({ signal }) =>
      get(server.url, { agent, key: 'hang-all', signal })
    )()
    expect(result).toEqual({ _tag: 'Left', left: { _tag: 'AttemptTimeout', attempt: 4, timeout: TIMEOUT } })
    expect(server.perKey.get('hang-all')).toBe(4)
    await until(() => server.abandoned() - before >= 4 && server.openConnections() === 0)
    expect(server.abandoned() - before).toBe(4)
    expect(server.openConnections()).toBe(0)
    tally.calls++
    tally.callsRetried++
  })
})

// -------------------------------------------------------------------------------------
// a server that is down, then comes up
// -------------------------------------------------------------------------------------

describe('a server that is down, then comes up', () => {
  const servers: Array<TestServer> = []
  afterAll(async () => {
    for (const server of servers) await closing(server)
  })

  it.each(['node:http', 'fetch'] as const)(
    '%s: connection-refused errors are retried until the server listens',
    async (client) => {
      const port = await freePort()
      const url = `http://127.0.0.1:${port}/`
      const UP_AFTER = 80
      let timer: ReturnType<typeof setTimeout> | undefined
      const up = new Promise<TestServer>((resolve, reject) => {
        timer = setTimeout(() => startServer(() => answer(200, 'up'), port).then(resolve, reject), UP_AFTER)
      })
      const errors: Array<HttpError> = []
      // bounded: at most 1000 retries 5 ms apart, some seconds, far more than the server needs to come up
      const policy = pipe(S.constant(5), S.maxRetries(1000))
      const call = client === 'node:http' ? get(url, { agent, key: 'up' }) : fetchGet(url, { key: 'up' })
      const result = await pipe(
        call,
        Retry.retry(policy, { onRetry: (e: Retry.RetryEvent<HttpError>) => errors.push(e.error) })
      )()
      const server = await up
      servers.push(server)
      clearTimeout(timer)
      expect(result).toEqual({ _tag: 'Right', right: { status: 200, body: 'up' } })
      // refused while down (about UP_AFTER / 5 times), then a single request reached the server
      expect(errors.length).toBeGreaterThanOrEqual(3)
      expect(errors.every((e) => e._tag === 'Network' && e.code === 'ECONNREFUSED')).toBe(true)
      expect(server.perKey.get('up')).toBe(1)
      expect(server.totals.requests).toBe(1)
      tally.refused += errors.length
      tally.calls++
      tally.callsRetried++
    }
  )
})

// -------------------------------------------------------------------------------------
// nothing left behind
// -------------------------------------------------------------------------------------

describe('after every server has closed', () => {
  it('no timer, socket or listening server is left, no rejection went unhandled, no warning was emitted', async () => {
    agent.destroy()
    expect(await leaksOver(baseline)).toEqual({ Timeout: 0, TCPSocketWrap: 0, TCPServerWrap: 0 })
    // and exactly: every timer set through setTimeout (the live clock's sleeps included) fired or was cleared
    expect(timers.pending()).toBe(0)
    expect(watch.unhandled()).toBe(0)
    expect(watch.warnings()).toEqual([])
    // requests: 162 (k = 0..6 under 6 jitters) + 13 (resets) + 7 (hangs) + 2 (down, then up);
    // faults: 126 error statuses + 11 resets + 6 hangs, besides the refused connections
    const { refused, ...counts } = tally
    expect(counts).toEqual({
      servers: 5,
      requests: 184,
      faults: 143,
      calls: 6 * 7 + 3 + 2 + 2,
      callsRetried: 6 * 6 + 3 + 2 + 2
    })
    expect(refused).toBeGreaterThanOrEqual(6)
    console.log(
      `http: ${tally.requests} requests served by ${tally.servers} servers, ${tally.faults} faults injected ` +
        `+ ${refused} connections refused, ${tally.calls} calls, ${tally.callsRetried} retried, nothing leaked`
    )
  })
})

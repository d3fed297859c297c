/**
 * The hedging part of `npm run demo`: a read served by two replicas, each a real HTTP server on an
 * ephemeral 127.0.0.1 port (./server.ts). Replica a is having a bad moment and answers in a second;
 * replica b answers at once. The client reads through `TaskEither.hedge`: attempt 1 goes to replica a,
 * and when it has not answered after 50 ms, a hedge goes to replica b. Each launch is printed (the
 * first by the attempt itself, the hedge by `onHedge`), then the winner, then the loser: its `fetch`
 * is aborted through the attempt's signal, and replica a sees the connection closed and stops
 * working on the request. Takes about a tenth of a second.
 */
import { pipe } from 'fp-ts/function'
import * as TE from 'fp-ts/TaskEither'
import * as S from '../../src/Schedule'
import * as Retry from '../../src/TaskEither'
import { type FetchError, formatMs, getJson } from './live'
import { start } from './server'

/** How long the slow replica takes to answer, and the wait before the hedge, ms. */
export const SLOW_REPLICA_MS = 1000
export const HEDGE_DELAY_MS = 50

/** At most one hedge, 50 ms after the first attempt. */
export const hedgePolicy = pipe(S.constant(HEDGE_DELAY_MS), S.maxRetries(1))

const PATH = '/users/42'
const USER = { id: 42, name: 'Ada' }

/** Waits for `promise` at most `ms`: a demo that hangs would hide what went wrong. */
const within = async <A>(ms: number, what: string, promise: Promise<A>): Promise<A> => {
  let timer: ReturnType<typeof setTimeout> | undefined
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: nothing after ${ms} ms`)), ms)
      })
    ])
  } finally {
    clearTimeout(timer)
  }
}

/** Reads `/users/42` hedged across the two replicas, printing each launch, the winner and the loser. */
export const runHedgedRead = async (): Promise<void> => {
  const slow = await start({ [PATH]: [{ _tag: 'Slow', ms: SLOW_REPLICA_MS, body: USER }] })
  const fast = await start({ [PATH]: [{ _tag: 'Ok', body: USER }] })
  const replicas = [
    { name: 'a', server: slow },
    { name: 'b', server: fast }
  ]
  try {
    console.log('\nA hedged read: one replica is slow')
    console.log(`  GET ${PATH} from replica a (${slow.origin}, answers in ${formatMs(SLOW_REPLICA_MS)})`)
    console.log(`                or replica b (${fast.origin}, answers at once)`)
    console.log(
      `  policy: constant(${HEDGE_DELAY_MS}) · maxRetries(1), run with hedge: one hedge after ${HEDGE_DELAY_MS} ms`
    )
    const t0 = performance.now()
    const now = (): string => formatMs(performance.now() - t0).padStart(8)
    // each attempt's end: a line to print when the run told it to stop
    const ends: Array<Promise<string | undefined>> = []

    const read = Retry.hedge(hedgePolicy, {
      onHedge: ({ attempt, delay, elapsed }) =>
        console.log(
          `  ${now()}  onHedge: attempt ${attempt} launched ${formatMs(delay)} after attempt ${attempt - 1} (${formatMs(
            elapsed
          )} in)`
        )
    })((context: Retry.AttemptContext<FetchError>) => {
      const replica = replicas[(context.attempt - 1) % replicas.length]
      console.log(`  ${now()}  attempt ${context.attempt}: GET ${PATH} on replica ${replica.name}`)
      let ended: (line: string | undefined) => void = () => undefined
      ends.push(new Promise((resolve) => (ended = resolve)))
      return pipe(
        getJson(`${replica.server.origin}${PATH}`)(context),
        TE.tapError((error) => {
          // told to stop through its signal: the fetch was aborted
          ended(
            context.signal.aborted
              ? `  ${now()}  attempt ${context.attempt} (replica ${replica.name}) aborted through its signal: ${
                  error._tag === 'NetworkError' ? error.reason : error.status
                }`
              : undefined
          )
          return TE.right(undefined)
        }),
        TE.tap(() => {
          ended(undefined)
          return TE.right(undefined)
        }),
        TE.map((body) => ({ replica: replica.name, attempt: context.attempt, body }))
      )
    })

    const result = await read()
    if (result._tag === 'Left') throw new Error(`the hedged read failed: ${JSON.stringify(result.left)}`)
    const { replica, attempt, body } = result.right
    console.log(`  ${now()}  winner: attempt ${attempt}, replica ${replica}: 200 OK ${JSON.stringify(body)}`)
    const took = performance.now() - t0
    for (const line of await within(2000, 'the losing attempt', Promise.all(ends))) {
      if (line !== undefined) console.log(line)
    }
    await within(2000, 'replica a', slow.whenCancelled(PATH))
    console.log(`  ${now()}  replica a saw the connection closed before it answered: it stopped working on it`)
    console.log(
      `  summary: the read took ${formatMs(took)} instead of ${formatMs(
        SLOW_REPLICA_MS
      )}; replica a saw ${slow.requests(PATH)} request (${slow.cancelled(PATH)} cancelled), replica b ${fast.requests(
        PATH
      )}`
    )
  } finally {
    await Promise.all([slow.close(), fast.close()])
  }
}

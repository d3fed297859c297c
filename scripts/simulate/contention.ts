/**
 * Contention with jitter, after Marc Brooker's experiment ("Exponential Backoff And Jitter", AWS
 * Architecture Blog, 2015): N clients each need one successful write to a single row guarded by
 * optimistic concurrency control.
 *
 * The model, as in Brooker's simulator: a client reads the row's version, then writes with it; the
 * write succeeds only if the version is still current (and bumps it), so among writes based on the
 * same read only the first to arrive succeeds. Every message (read, its answer, write, its answer)
 * takes a network delay drawn from |N(10 ms, variance 4)|. After a failed write the client steps its
 * schedule with `schedule.step` and sends its next read after the delay. All clients start at 0; a
 * run ends when every client has succeeded. `calls` counts writes.
 */
import { pipe } from 'fp-ts/function'
import { seeded } from '../../src/internal/random'
import * as S from '../../src/Schedule'
import { makeEventQueue } from './EventQueue'

/** A backoff policy for the experiment. */
export interface ContentionPolicy {
  readonly name: string
  readonly schedule: S.Schedule<unknown, unknown>
}

const BASE = 5
const CAP = 2000

/** The five policies of the experiment, built from the library's schedules: base 5 ms, cap 2,000 ms. */
export const contentionPolicies: ReadonlyArray<ContentionPolicy> = [
  { name: 'exponential, no jitter', schedule: pipe(S.exponential(BASE), S.capDelay(CAP)) },
  { name: 'full jitter', schedule: pipe(S.exponential(BASE), S.capDelay(CAP), S.fullJitter) },
  { name: 'equal jitter', schedule: pipe(S.exponential(BASE), S.capDelay(CAP), S.equalJitter) },
  { name: 'decorrelated jitter', schedule: S.decorrelatedJitter({ base: BASE, cap: CAP }) },
  { name: 'no backoff', schedule: S.forever }
]

/** The network: normal with mean 10 ms and variance 4 ms² (standard deviation 2 ms), folded at 0. */
const MEAN = 10
const DEVIATION = 2

/** A normal variate from two uniform ones (Box-Muller). */
const networkDelay = (random: () => number): number => {
  const u = 1 - random() // in (0, 1], so the log is finite
  const v = random()
  return Math.abs(MEAN + DEVIATION * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v))
}

type Message =
  | { readonly kind: 'read'; readonly client: number } // a read reaches the row
  | { readonly kind: 'write'; readonly client: number; readonly version: number } // a write reaches the row
  | { readonly kind: 'answer'; readonly client: number; readonly ok: boolean } // a write's answer reaches the client

/** Runs one contention: returns the number of writes and the time the last client succeeded. */
export const runContention = (
  schedule: S.Schedule<unknown, unknown>,
  clients: number,
  seed: number
): { readonly calls: number; readonly time: number } => {
  const random = seeded(seed)
  const states: Array<unknown> = new Array(clients).fill(schedule.initial)
  const queue = makeEventQueue<Message>()
  let version = 0
  let calls = 0
  let time = 0
  for (let client = 0; client < clients; client++) {
    queue.push(networkDelay(random), { kind: 'read', client })
  }
  for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
    const now = next.time
    const message = next.event
    switch (message.kind) {
      case 'read':
        // the answer travels back, then the write travels to the row
        queue.push(now + networkDelay(random) + networkDelay(random), {
          kind: 'write',
          client: message.client,
          version
        })
        break
      case 'write': {
        calls++
        const ok = message.version === version
        if (ok) version++
        queue.push(now + networkDelay(random), { kind: 'answer', client: message.client, ok })
        break
      }
      case 'answer': {
        if (message.ok) {
          time = now
          break
        }
        const step = schedule.step(undefined, { now, start: 0, random }, states[message.client])
        // none of the policies ever stops; a schedule that did would leave its client without a write
        if (step._tag === 'Continue') {
          states[message.client] = step.state
          queue.push(now + step.delay + networkDelay(random), { kind: 'read', client: message.client })
        }
        break
      }
    }
  }
  return { calls, time }
}

/** One row of the contention table: averages over the runs. */
export interface ContentionRow {
  readonly experiment: 'contention'
  readonly policy: string
  readonly clients: number
  readonly runs: number
  /** Writes per run, on average. */
  readonly calls: number
  /** Time until every client has succeeded, ms, on average. */
  readonly timeMs: number
}

/** Runs every policy for 50, 100 and 190 clients, 100 runs each (seeds 1 to 100); 10 runs in quick mode. */
export const contentionExperiment = (options: { readonly quick: boolean }): ReadonlyArray<ContentionRow> => {
  const runs = options.quick ? 10 : 100
  const rows: Array<ContentionRow> = []
  for (const clients of [50, 100, 190]) {
    for (const policy of contentionPolicies) {
      let calls = 0
      let time = 0
      for (let seed = 1; seed <= runs; seed++) {
        const result = runContention(policy.schedule, clients, seed)
        calls += result.calls
        time += result.time
      }
      rows.push({
        experiment: 'contention',
        policy: policy.name,
        clients,
        runs,
        calls: calls / runs,
        timeMs: time / runs
      })
    }
  }
  return rows
}

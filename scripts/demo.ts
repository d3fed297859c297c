/**
 * `npm run demo`: schedule-ts at work, in two parts.
 *
 * 1. Live: a real HTTP server on an ephemeral 127.0.0.1 port fails the way services do (a 500, a
 *    reset connection, a response slower than the attempt timeout, a 503 with `Retry-After`), and a
 *    client calls it through `fetch`, retried by a composed schedule with `retryWithContext`, an
 *    `attemptTimeout` and `withDelayHint`. Each attempt is printed as it ends (when it started, how
 *    it ended, the delay chosen and why), then a summary. A second call gets a 404, which is not
 *    retried. Then a hedged read across two replicas, one of them slow (scripts/demo/hedging.ts).
 *    Takes about two seconds.
 * 2. Simulated: the timelines `simulate` predicts for three realistic policies (seeded, so the same
 *    on every run).
 *
 * The server is closed and no socket is left open, so the process exits by itself, with 0.
 */
import { runHedgedRead } from './demo/hedging'
import { ATTEMPT_TIMEOUT, formatMs, policyDescription, runScenario, type Scenario } from './demo/live'
import { start } from './demo/server'
import { printSimulations } from './demo/simulated'

const recovers: Scenario = {
  title: 'A flaky service that recovers',
  path: '/orders/42',
  script: [
    { _tag: 'ServerError' },
    { _tag: 'Reset' },
    { _tag: 'Slow', ms: 4 * ATTEMPT_TIMEOUT, body: { id: 42, status: 'shipped' } },
    { _tag: 'Unavailable', retryAfterSeconds: 1 },
    { _tag: 'Ok', body: { id: 42, status: 'shipped' } }
  ]
}

const notFound: Scenario = {
  title: 'A permanent error is not retried',
  path: '/orders/7',
  script: [{ _tag: 'Unavailable' }, { _tag: 'NotFound' }]
}

const main = async (): Promise<void> => {
  const server = await start({ [recovers.path]: recovers.script, [notFound.path]: notFound.script })
  try {
    console.log(`schedule-ts demo: a live run against a flaky HTTP server at ${server.origin}`)
    console.log(`  policy: ${policyDescription}`)
    console.log(
      `  run with: retryWithContext (the attempt's signal goes to fetch), attemptTimeout ${formatMs(ATTEMPT_TIMEOUT)}`
    )
    await runScenario(server, recovers)
    await runScenario(server, notFound)
  } finally {
    await server.close()
  }
  await runHedgedRead()
  printSimulations()
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})

/**
 * `npm run simulate [-- --json] [-- --quick]`: measures what retry policies do to a fleet, in
 * virtual time (discrete-event simulations stepping the library's schedules and budgets; nothing
 * waits for real).
 *
 * - Retry amplification in an outage: attempts per request while the service is down, and how long
 *   after it is back the success rate stays above 99% (scripts/simulate/outage.ts).
 * - Contention with jitter, after Marc Brooker: writes and time until N clients have each made one
 *   optimistic-concurrency write (scripts/simulate/contention.ts).
 * - Hedging a heavy tail: p50 to p99.99 latency and extra attempts, with and without hedges, each
 *   request a real `TaskEither.hedge` call on a TestClock (scripts/simulate/hedging.ts).
 *
 * `--json` prints the rows as a JSON array, one object per row; `--quick` runs a smaller fleet (100
 * clients), 10 contention runs instead of 100 and 2,000 hedged requests instead of 10,000. The
 * results are deterministic (seeded).
 */
import { type ContentionRow, contentionExperiment } from './simulate/contention'
import { hedgingExperiment, hedgingTable } from './simulate/hedging'
import { type OutageRow, outageExperiment, outageScenario } from './simulate/outage'

const usage = 'usage: tsx scripts/simulate.ts [--json] [--quick]'

const integer = (n: number): string => Math.round(n).toLocaleString('en-US')

const table = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)))
  const line = (cells: ReadonlyArray<string>): string =>
    `| ${cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join(' | ')} |`
  const rule = `| ${widths.map((w, i) => (i === 0 ? '-'.repeat(w) : `${'-'.repeat(w - 1)}:`)).join(' | ')} |`
  return [line(header), rule, ...rows.map(line)].join('\n')
}

/** The outage table, as Markdown. */
const outageTable = (rows: ReadonlyArray<OutageRow>, quick: boolean): string => {
  const s = outageScenario(quick)
  return [
    `Retry amplification in an outage: ${integer(s.clients)} clients × ${s.ratePerClient} requests/s for ${
      s.duration / 1000
    } s,`,
    `every attempt fails from ${s.outageStart / 1000} s to ${s.outageEnd / 1000} s, server capacity ${integer(
      s.capacity
    )} attempts/s, budgets per client`,
    '',
    table(
      [
        'policy',
        'attempts/request in outage',
        'peak attempts/s',
        'recovery (ms)',
        'requests succeeded',
        'retries denied'
      ],
      rows.map((r) => [
        r.policy,
        r.attemptsPerRequest.toFixed(2),
        integer(r.peakAttemptsPerSec),
        integer(r.recoveryMs),
        `${(r.requestSuccess * 100).toFixed(2)}%`,
        integer(r.deniedRetries)
      ])
    )
  ].join('\n')
}

/** The contention table, as Markdown. */
const contentionTable = (rows: ReadonlyArray<ContentionRow>): string =>
  [
    `Contention with jitter: N clients each need one optimistic-concurrency write to one row; base 5 ms, cap 2,000 ms;`,
    `network |N(10 ms, variance 4)| per message; averages over ${rows[0].runs} seeded runs`,
    '',
    table(
      ['policy', 'clients', 'calls', 'time to all done (ms)'],
      rows.map((r) => [r.policy, String(r.clients), integer(r.calls), integer(r.timeMs)])
    )
  ].join('\n')

const main = async (args: ReadonlyArray<string>): Promise<void> => {
  const unknown = args.filter((a) => a !== '--json' && a !== '--quick')
  if (unknown.length > 0) {
    process.stderr.write(`unknown argument ${unknown[0]}\n${usage}\n`)
    process.exitCode = 2
    return
  }
  const json = args.includes('--json')
  const quick = args.includes('--quick')
  const outage = outageExperiment({ quick })
  const contention = contentionExperiment({ quick })
  const hedging = await hedgingExperiment({ quick })
  if (json) {
    process.stdout.write(`${JSON.stringify([...outage, ...contention, ...hedging], null, 2)}\n`)
  } else {
    process.stdout.write(
      `${outageTable(outage, quick)}\n\n${contentionTable(contention)}\n\n${hedgingTable(hedging, table)}\n`
    )
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})

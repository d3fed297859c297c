/**
 * `npm run bench`: schedule-ts side by side with the retry libraries users would pick instead, in
 * one process so that the ratios hold on a noisy machine.
 *
 *   npm run bench                 full run (about a minute)
 *   npm run bench -- --quick      fewer iterations, about 20 s (half of it building and packing)
 *   npm run bench -- --json       the same rows as JSON on stdout (progress goes to stderr)
 *
 * Run with `--expose-gc` (the `bench` script does) so the memory rows can force collections.
 *
 * The phases live in scripts/bench/, one module for each thing measured; this file runs them in
 * order and prints the report (scripts/bench/report.ts).
 */
import { abortLatency } from './bench/abortLatency'
import { bundles } from './bench/bundles'
import { clockReads } from './bench/clock'
import { happyPath } from './bench/happyPath'
import { load, versionOf } from './bench/load'
import { activeTimers, fmt, gcExposed, now, sig } from './bench/measure'
import { pendingHeap, stepHeap } from './bench/memory'
import { type Phase, settingsFor } from './bench/phase'
import { machine, makeReport } from './bench/report'
import { telemetry } from './bench/telemetry'
import { bigRun, zeroDelay } from './bench/zeroDelay'

const phases: ReadonlyArray<readonly [string, Phase]> = [
  ['happy path', happyPath],
  ['zero-delay retries', zeroDelay],
  ['100k retries', bigRun],
  ['heap while stepping', stepHeap],
  ['heap per pending retry', pendingHeap],
  ['abort latency', abortLatency],
  ['bundle size', bundles]
]

const args = new Set(process.argv.slice(2))
const quick = args.has('--quick')
const asJson = args.has('--json')
const settings = settingsFor(quick)

const log = (message: string): void => {
  process.stderr.write(`${message}\n`)
}

const main = async (): Promise<void> => {
  const started = now()
  if (!gcExposed) {
    log('warning: started without --expose-gc; using a run-time fallback (run it with `npm run bench`)')
  }
  log(`${quick ? 'quick' : 'full'} run on ${machine()}`)
  const loadStart = now()
  const { contenders, isNotApplicable } = await load()
  log(`bundling and loading the contenders: ${fmt((now() - loadStart) / 1000, 1)} s`)
  const report = makeReport(settings, contenders, versionOf)
  const headlines: Array<string> = []
  const headline = (line: string): void => {
    headlines.push(line)
    log(line)
  }
  const bench = {
    settings,
    contenders,
    isNotApplicable,
    set: report.set,
    notApplicable: report.notApplicable,
    log,
    headline
  }
  for (const [name, phase] of phases) {
    const phaseStart = now()
    await phase(bench)
    log(`${name}: ${fmt((now() - phaseStart) / 1000, 1)} s`)
  }
  report.computeRatios()
  const telemetryTable = asJson ? '' : await telemetry(quick, log)
  // what the live clock's now() costs, which a call that reads the clock pays on top of the bare call
  const clock = clockReads()
  const clockLine = `clock read: performance.now() ${sig(clock.performanceNow)} ns, Date.now() ${sig(clock.dateNow)} ns`
  log(clockLine)
  const timersLeft = activeTimers()
  if (timersLeft > 0) {
    log(`warning: ${timersLeft} timers still active at the end`)
  }
  log(`done in ${fmt((now() - started) / 1000, 1)} s`)
  if (asJson) {
    process.stdout.write(`${JSON.stringify(report.rows(), null, 2)}\n`)
  } else {
    process.stdout.write(
      `${quick ? 'quick' : 'full'} run, ${machine()}\n${[clockLine, ...headlines].join(
        '\n'
      )}\n\n${report.table()}\n\n${telemetryTable}\n`
    )
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`)
  process.exitCode = 1
})

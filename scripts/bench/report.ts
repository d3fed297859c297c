/**
 * The benchmark's report: the figures each phase records, their ratios to schedule-ts's, and the
 * table (or the JSON rows) printed at the end.
 */
import * as os from 'os'
import type { Contender } from './contenders'
import { fmt } from './measure'
import type { Bench, Settings } from './phase'

export type Column =
  | 'happyPath'
  | 'happyPathVsBare'
  | 'zeroDelay'
  | 'retries100k'
  | 'stepHeap'
  | 'pendingHeap'
  | 'abortLatency'
  | 'bundle'
  | 'bundleFpTsExternal'

export interface Cell {
  /** The measured figure in `unit`, or null when the scenario does not apply or failed. */
  readonly value: number | null
  readonly unit: string
  /** `value` divided by schedule-ts's value (lower is better everywhere); null when it means nothing. */
  ratio: number | null
  /** The figure as printed, without the ratio. */
  readonly text: string
  /** Why a figure is missing, or how it was obtained when not measured as the others were. */
  readonly note?: string
  /** Marks an approximate figure (measured over fewer iterations and extrapolated). */
  readonly approximate?: boolean
  /** Whether the heap stayed flat (grew less than the noise of a collection) while stepping. */
  readonly flat?: boolean
  /** Whether the 100k run completed within its time limit. */
  readonly completed?: boolean
}

interface ColumnInfo {
  readonly key: Column
  readonly title: string
  readonly ratio: boolean
}

const columnsFor = (settings: Settings): ReadonlyArray<ColumnInfo> => [
  { key: 'happyPath', title: 'happy path (ns/call)', ratio: true },
  { key: 'happyPathVsBare', title: 'vs bare call', ratio: false },
  { key: 'zeroDelay', title: '0-delay retry (µs)', ratio: true },
  { key: 'retries100k', title: '100k 0-delay retries', ratio: true },
  {
    key: 'stepHeap',
    title: `heap, ${settings.steps >= 1e6 ? '1M' : fmt(settings.steps / 1000) + 'k'} steps`,
    ratio: true
  },
  { key: 'pendingHeap', title: 'heap/pending retry', ratio: true },
  { key: 'abortLatency', title: 'abort latency', ratio: true },
  { key: 'bundle', title: 'bundle gz', ratio: true },
  { key: 'bundleFpTsExternal', title: 'bundle gz (fp-ts ext.)', ratio: true }
]

type Row = Partial<Record<Column, Cell>>

const ratioText = (ratio: number): string =>
  `${ratio >= 100 ? fmt(ratio) : ratio >= 10 ? ratio.toFixed(1) : ratio.toFixed(2)}x`

/** The machine the figures come from. */
export const machine = (): string =>
  `node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${
    os.cpus().length
  } cores, ${os.platform()} ${os.arch()}`

/**
 * A report for `contenders`: `set` and `notApplicable` record the phases' figures; `table()` computes
 * the ratios and prints the table with its notes, `rows()` gives the same figures as JSON rows.
 */
export const makeReport = (
  settings: Settings,
  contenders: ReadonlyArray<Contender>,
  versionOf: (contender: Contender) => string
) => {
  const columns = columnsFor(settings)
  const results = new Map<string, Row>(contenders.map((c) => [c.name, {}]))

  const set: Bench['set'] = (contender, column, cell) => {
    ;(results.get(contender.name) as Row)[column] = { ratio: null, ...cell }
  }

  const notApplicable: Bench['notApplicable'] = (contender, column, why, unit) =>
    set(contender, column, { value: null, unit, text: contender.package === undefined ? '-' : 'n/a', note: why })

  const computeRatios = (): void => {
    const reference = results.get('schedule-ts') as Row
    for (const { key, ratio } of columns) {
      const base = reference[key]?.value
      if (!ratio || base === null || base === undefined) continue
      if (reference[key]?.flat === true) continue
      for (const row of results.values()) {
        const cell = row[key]
        if (cell !== undefined && cell.value !== null && base !== 0) {
          cell.ratio = cell.value / base
        }
      }
    }
  }

  const table = (): string => {
    const notes: Array<string> = []
    const mark = (note: string): string => {
      const i = notes.indexOf(note)
      return `[${(i === -1 ? notes.push(note) : i + 1).toString()}]`
    }
    const header = ['library', 'version', ...columns.map((c) => c.title)]
    const rows = contenders.map((c) => {
      const row = results.get(c.name) as Row
      return [
        c.name,
        versionOf(c),
        ...columns.map(({ key, ratio }) => {
          const cell = row[key]
          if (cell === undefined) return '-'
          const shown = ratio && cell.ratio !== null ? `${cell.text} (${ratioText(cell.ratio)})` : cell.text
          // the notes that matter for reading a cell: why n/a, how approximated, how noisy, what went wrong
          const footnote =
            cell.note !== undefined &&
            c.package !== undefined &&
            (cell.value === null ||
              cell.approximate === true ||
              key === 'abortLatency' ||
              key === 'happyPathVsBare' ||
              /unreliable|left running/.test(cell.note))
              ? ` ${mark(`${c.name}, ${columns.find((col) => col.key === key)?.title}: ${cell.note}`)}`
              : ''
          return shown + footnote
        })
      ]
    })
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)))
    const line = (cells: ReadonlyArray<string>): string =>
      `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`
    return [
      line(header),
      `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
      ...rows.map(line),
      '',
      ...notes.map((note, i) => `[${i + 1}] ${note}`)
    ].join('\n')
  }

  const rows = () =>
    contenders.map((c) => ({
      library: c.name,
      version: versionOf(c),
      policy: c.policy,
      ...results.get(c.name)
    }))

  return { set, notApplicable, computeRatios, table, rows }
}

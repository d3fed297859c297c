/**
 * Every TypeScript code block of the guides (docs/guide/) and of the README is typechecked against
 * the real API, then run, so that the docs cannot drift from the code.
 *
 * Conventions, for whoever writes a guide:
 *
 * - A block fenced as ```ts is a module on its own: it has its imports, and compiles with `strict`.
 *   It is then run (top-level `await` is allowed), so an `assert` in it is a checked claim. Keep it
 *   fast: use the TestClock or `simulate` rather than real delays.
 * - A block fenced as ```ts no-run is only typechecked: for code that needs a network, or that only
 *   declares what it uses (`declare const fetchUser: ...`).
 * - An HTML comment `<!-- prelude ... -->` right before a block is put in front of it, unseen by the
 *   reader: for the placeholders of a short example (the README's `fetchUser`).
 * - Blocks in other languages (sh, json) are not checked.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import * as ts from 'typescript'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const root = path.resolve(__dirname, '..')

/** The documents whose blocks are checked: the README and every guide. */
const documents = [
  'README.md',
  ...fs
    .readdirSync(path.join(root, 'docs/guide'))
    .filter((file) => file.endsWith('.md'))
    .sort()
    .map((file) => `docs/guide/${file}`)
]

interface Snippet {
  /** e.g. `docs/guide/recipes.md:42`, where the block's code starts. */
  readonly name: string
  /** A file name for the snippet, unique among them. */
  readonly file: string
  readonly document: string
  /** The 1-based line of the document where the code starts. */
  readonly line: number
  readonly prelude: string
  readonly code: string
  readonly run: boolean
}

const extract = (document: string): ReadonlyArray<Snippet> => {
  const lines = fs.readFileSync(path.join(root, document), 'utf8').split('\n')
  const snippets: Array<Snippet> = []
  let prelude = ''
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]
    if (line.startsWith('<!-- prelude')) {
      const end = lines.indexOf('-->', i)
      if (end === -1) {
        throw new Error(`${document}:${i + 1}: a prelude comment is not closed by a line '-->'`)
      }
      prelude = lines.slice(i + 1, end).join('\n')
      i = end
      continue
    }
    const fence = /^```(\S*)\s*(.*)$/.exec(line)
    if (fence !== null) {
      const end = lines.indexOf('```', i + 1)
      if (end === -1) {
        throw new Error(`${document}:${i + 1}: a code block is not closed`)
      }
      const [, language, flags] = fence
      if (language === 'ts' || language === 'typescript') {
        const n = snippets.length + 1
        snippets.push({
          name: `${document}:${i + 2}`,
          file: `${path.basename(document, '.md')}-${n}.ts`,
          document,
          line: i + 2,
          prelude,
          code: lines.slice(i + 1, end).join('\n'),
          run: !flags.split(/\s+/).includes('no-run')
        })
      }
      i = end
    }
    if (line.trim() !== '') {
      prelude = ''
    }
  }
  return snippets
}

const snippets = documents.flatMap(extract)

/** The source of a snippet: its prelude, then its code, the prelude on as few lines as possible. */
const source = (snippet: Snippet): string =>
  snippet.prelude === '' ? snippet.code : `${snippet.prelude}\n${snippet.code}`

// -------------------------------------------------------------------------------------
// typechecking, all snippets in one program
// -------------------------------------------------------------------------------------

/** Where the snippets live for the compiler: under the repo, so that node_modules resolve; never written. */
const virtualDir = path.join(root, 'docs', 'guide', '__snippets__')

const compilerOptions: ts.CompilerOptions = {
  strict: true,
  noEmit: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  moduleDetection: ts.ModuleDetectionKind.Force,
  lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
  types: ['node'],
  esModuleInterop: true,
  skipLibCheck: true,
  baseUrl: root,
  paths: { 'schedule-ts': ['./src/index.ts'], 'schedule-ts/*': ['./src/*'] }
}

const diagnostics = new Map<string, ReadonlyArray<string>>()

const typecheck = (): void => {
  const files = new Map(snippets.map((s) => [path.join(virtualDir, s.file), s]))
  const host = ts.createCompilerHost(compilerOptions)
  const { fileExists, readFile, getSourceFile } = host
  host.fileExists = (file) => files.has(file) || fileExists(file)
  host.readFile = (file) => {
    const snippet = files.get(file)
    return snippet === undefined ? readFile(file) : source(snippet)
  }
  host.getSourceFile = (file, language, onError, shouldCreate) => {
    const snippet = files.get(file)
    return snippet === undefined
      ? getSourceFile(file, language, onError, shouldCreate)
      : ts.createSourceFile(file, source(snippet), language)
  }
  const program = ts.createProgram([...files.keys()], compilerOptions, host)
  for (const [file, snippet] of files) {
    const preludeLines = snippet.prelude === '' ? 0 : snippet.prelude.split('\n').length
    const sourceFile = program.getSourceFile(file)
    const found = [...program.getSyntacticDiagnostics(sourceFile), ...program.getSemanticDiagnostics(sourceFile)]
    diagnostics.set(
      snippet.name,
      found.map((d) => {
        const message = ts.flattenDiagnosticMessageText(d.messageText, '\n')
        if (d.file === undefined || d.start === undefined) {
          return message
        }
        const { line } = d.file.getLineAndCharacterOfPosition(d.start)
        const where = line < preludeLines ? 'prelude' : `${snippet.document}:${snippet.line + line - preludeLines}`
        return `${where}: ${message}`
      })
    )
  }
  // the program's own problems (a bad option) would hide behind the per-file ones
  const global = program.getOptionsDiagnostics().map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))
  if (global.length > 0) {
    throw new Error(global.join('\n'))
  }
}

// -------------------------------------------------------------------------------------
// running, each snippet as a module
// -------------------------------------------------------------------------------------

let runDir = ''

beforeAll(() => {
  typecheck()
  // a dot directory: tsc's include globs skip it, and it is removed afterwards
  runDir = fs.mkdtempSync(path.join(root, 'test', '.guides-'))
}, 120_000)

afterAll(() => {
  if (runDir !== '') {
    fs.rmSync(runDir, { recursive: true, force: true })
  }
})

describe('the guides', () => {
  it('have code to check: every fenced TypeScript block is extracted', () => {
    for (const document of documents) {
      const fences = fs.readFileSync(path.join(root, document), 'utf8').match(/^```(ts|typescript)\b/gm) ?? []
      expect(snippets.filter((s) => s.document === document).length, document).toBe(fences.length)
    }
    expect(snippets.length).toBeGreaterThan(40)
  })

  describe.each(snippets.map((s) => [s.name, s] as const))('%s', (_, snippet) => {
    it('typechecks', () => {
      expect(diagnostics.get(snippet.name)).toEqual([])
    })

    // a `no-run` snippet (one that needs a network or a server) is only typechecked: no test is registered to run it
    if (snippet.run) {
      it('runs', async () => {
        const file = path.join(runDir, snippet.file)
        fs.writeFileSync(file, source(snippet))
        await import(file)
      }, 20_000)
    }
  })
})

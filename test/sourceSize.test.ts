/**
 * No module in src/ grows past 500 lines of code (comments and blank lines do not count): a module that
 * does is split by concern, as Config was into internal/decoding, internal/durations and internal/grpc.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import * as ts from 'typescript'
import { describe, expect, it } from 'vitest'

const MAX_CODE_LINES = 500

const src = path.resolve(__dirname, '..', 'src')

const sources = (dir: string): ReadonlyArray<string> =>
  fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) =>
      entry.isDirectory()
        ? sources(path.join(dir, entry.name))
        : entry.name.endsWith('.ts')
        ? [path.join(dir, entry.name)]
        : []
    )
    .sort()

/** The number of lines that hold at least one token of code: comments and blank lines do not count. */
const codeLines = (fileName: string, text: string): number => {
  const file = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true)
  const lines = new Set<number>()
  const visit = (node: ts.Node): void => {
    if (node.kind === ts.SyntaxKind.EndOfFileToken) {
      return
    }
    const children = node.getChildren(file).filter((child) => !ts.isJSDoc(child))
    if (children.length === 0) {
      // a token: every line it spans is code (a template literal may span several)
      const first = file.getLineAndCharacterOfPosition(node.getStart(file)).line
      const last = file.getLineAndCharacterOfPosition(node.getEnd()).line
      for (let line = first; line <= last; line++) {
        lines.add(line)
      }
      return
    }
    children.forEach(visit)
  }
  visit(file)
  return lines.size
}

describe('source size', () => {
  it('counts lines of code, not comments or blank lines', () => {
    const text = [
      '/**',
      ' * A doc comment: not code.',
      ' */',
      'export const a = 1 // a trailing comment is on a line of code',
      '',
      '// a line comment',
      '/* a block',
      '   comment */',
      'export const b = `a template',
      '// inside a template is code',
      '`',
      'export const c = /* inline */ 2'
    ].join('\n')
    expect(codeLines('example.ts', text)).toBe(5)
  })

  it.each(sources(src).map((file) => [path.relative(src, file), file]))(
    `src/%s has at most ${MAX_CODE_LINES} lines of code`,
    (_, file) => {
      expect(codeLines(file, fs.readFileSync(file, 'utf8'))).toBeLessThanOrEqual(MAX_CODE_LINES)
    }
  )
})

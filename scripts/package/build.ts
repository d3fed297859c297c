/**
 * `npm run build`: compiles `src/` with TypeScript, one output file per source file (as fp-ts does),
 * into two trees that bundlers and Node load without any shared chunk:
 *
 *   dist/cjs/   CommonJS (`require`), with `.d.ts` types; package.json `{ "type": "commonjs" }`
 *   dist/esm/   ES modules (`import`), with `.d.ts` types; package.json `{ "type": "module" }`
 *   <Entry>/package.json   for every entry of entries.ts: `main`, `module` and `types` pointing into
 *                          dist, for TypeScript's `moduleResolution: node` and tools without `exports`
 *
 * Every relative import is written with its file extension (`./internal/driver.js`), in the code and
 * in the declarations, so the ESM tree runs under Node's own ESM loader and its types resolve under
 * node16 and nodenext. Compiler options come from tsconfig.json (strictness, lib, target), with the
 * emit options set here.
 */
import * as fs from 'fs'
import * as path from 'path'
import * as ts from 'typescript'
import { entries } from './entries'

const root = path.resolve(__dirname, '..', '..')
const src = path.join(root, 'src')
const dist = path.join(root, 'dist')

const fail = (message: string): never => {
  process.stderr.write(`build: ${message}\n`)
  process.exit(1)
}

/** Every `.ts` file under `dir`, recursively. */
const sourcesIn = (dir: string): Array<string> =>
  fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((item) =>
      item.isDirectory()
        ? sourcesIn(path.join(dir, item.name))
        : item.name.endsWith('.ts') && !item.name.endsWith('.test.ts')
        ? [path.join(dir, item.name)]
        : []
    )

/** The entry list and the public modules in src/ must be the same set: a module is public by being there. */
const checkEntries = (): void => {
  const listed = entries.map((entry) => entry.name)
  const modules = fs
    .readdirSync(src)
    .filter((file) => file.endsWith('.ts') && file !== 'index.ts')
    .map((file) => file.slice(0, -3))
  const missing = modules.filter((name) => !listed.includes(name))
  const absent = listed.filter((name) => !modules.includes(name))
  const duplicated = listed.filter((name, i) => listed.indexOf(name) !== i)
  if (missing.length > 0) {
    fail(
      `src/${missing[0]}.ts is a public module (package.json exports every dist/*/<name>.js as ` +
        `schedule-ts/<name>) but is not in scripts/package/entries.ts: add { name: '${missing[0]}' } there`
    )
  }
  if (absent.length > 0) fail(`scripts/package/entries.ts lists ${absent[0]}, but there is no src/${absent[0]}.ts`)
  if (duplicated.length > 0) fail(`scripts/package/entries.ts lists ${duplicated[0]} twice`)
}

/** Options from tsconfig.json (strict, lib, target, types), minus what only the typecheck wants. */
const baseOptions = (): ts.CompilerOptions => {
  const configPath = path.join(root, 'tsconfig.json')
  const parsed = ts.parseJsonConfigFileContent(
    ts.readConfigFile(configPath, (file) => ts.sys.readFile(file)).config,
    ts.sys,
    root
  )
  const { paths: _paths, baseUrl: _baseUrl, noEmit: _noEmit, ...options } = parsed.options
  return {
    ...options,
    rootDir: src,
    declaration: true,
    declarationMap: true,
    sourceMap: false,
    removeComments: false, // keeps the /* @__PURE__ */ marks bundlers tree-shake with, and the JSDoc
    newLine: ts.NewLineKind.LineFeed,
    noEmitOnError: true
  }
}

/**
 * Rewrites `./x` to `./x.js` (or `./x/index.js`) in import and export declarations and in
 * `import("./x")` types, so that each output file names the file it loads.
 */
const withExtensions =
  (context: ts.TransformationContext) =>
  <T extends ts.SourceFile | ts.Bundle>(node: T): T => {
    if (!ts.isSourceFile(node)) return node
    const file = node.fileName
    const { factory } = context
    const rewrite = (specifier: string): string => {
      if (!specifier.startsWith('.')) return specifier
      const target = path.resolve(path.dirname(file), specifier)
      if (fs.existsSync(`${target}.ts`)) return `${specifier}.js`
      if (fs.existsSync(path.join(target, 'index.ts'))) return `${specifier}/index.js`
      return fail(`${path.relative(root, file)}: cannot resolve the relative import '${specifier}'`)
    }
    const literal = (specifier: ts.Expression | undefined): ts.StringLiteral | undefined =>
      specifier !== undefined && ts.isStringLiteral(specifier)
        ? factory.createStringLiteral(rewrite(specifier.text))
        : undefined
    const visit = (child: ts.Node): ts.Node => {
      if (ts.isImportDeclaration(child)) {
        const specifier = literal(child.moduleSpecifier)
        return specifier === undefined
          ? child
          : factory.updateImportDeclaration(child, child.modifiers, child.importClause, specifier, child.attributes)
      }
      if (ts.isExportDeclaration(child)) {
        const specifier = literal(child.moduleSpecifier)
        return specifier === undefined
          ? child
          : factory.updateExportDeclaration(
              child,
              child.modifiers,
              child.isTypeOnly,
              child.exportClause,
              specifier,
              child.attributes
            )
      }
      if (ts.isImportTypeNode(child) && ts.isLiteralTypeNode(child.argument)) {
        const specifier = literal(child.argument.literal)
        return specifier === undefined
          ? child
          : factory.updateImportTypeNode(
              child,
              factory.createLiteralTypeNode(specifier),
              child.attributes,
              child.qualifier,
              child.typeArguments,
              child.isTypeOf
            )
      }
      return ts.visitEachChild(child, visit, context)
    }
    return ts.visitEachChild(node, visit, context) as T
  }

/**
 * Emits `program` into `outDir`, failing on any error. Only the first program is typechecked in full
 * (`check`): the second differs only in its module kind, which changes the emit, not the types.
 */
const emit = (program: ts.Program, check: boolean): void => {
  const diagnostics = check ? ts.getPreEmitDiagnostics(program) : []
  const result = program.emit(undefined, undefined, undefined, false, {
    after: [withExtensions],
    afterDeclarations: [withExtensions]
  })
  const all = [...diagnostics, ...result.diagnostics]
  if (all.length > 0 || result.emitSkipped) {
    fail(
      ts.formatDiagnosticsWithColorAndContext(all, {
        getCanonicalFileName: (name) => name,
        getCurrentDirectory: () => root,
        getNewLine: () => '\n'
      })
    )
  }
}

const writeJson = (file: string, value: unknown): void => {
  fs.mkdirSync(path.dirname(file), { recursive: true })
  fs.writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`)
}

const main = (): void => {
  checkEntries()
  const sources = sourcesIn(src)
  fs.rmSync(dist, { recursive: true, force: true })
  const options = baseOptions()
  const cjs = ts.createProgram(sources, { ...options, outDir: path.join(dist, 'cjs'), module: ts.ModuleKind.CommonJS })
  emit(cjs, true)
  const esm = ts.createProgram({
    rootNames: sources,
    options: { ...options, outDir: path.join(dist, 'esm'), module: ts.ModuleKind.ES2020 },
    oldProgram: cjs
  })
  emit(esm, false)
  // every file in a tree is of the tree's module kind, whatever the root package.json says
  writeJson(path.join(dist, 'cjs', 'package.json'), { type: 'commonjs', sideEffects: false })
  writeJson(path.join(dist, 'esm', 'package.json'), { type: 'module', sideEffects: false })
  fs.chmodSync(path.join(dist, 'cjs', 'internal', 'bin.js'), 0o755)
  // the folder of an entry that is no longer listed would still be published: remove it
  for (const item of fs.readdirSync(root, { withFileTypes: true })) {
    const stub = path.join(root, item.name, 'package.json')
    if (!item.isDirectory() || entries.some(({ name }) => name === item.name) || !fs.existsSync(stub)) continue
    const { main: entryMain } = JSON.parse(fs.readFileSync(stub, 'utf8')) as { main?: unknown }
    if (entryMain === `../dist/cjs/${item.name}.js` && fs.readdirSync(path.join(root, item.name)).length === 1) {
      fs.rmSync(path.join(root, item.name), { recursive: true })
    }
  }
  for (const { name } of entries) {
    writeJson(path.join(root, name, 'package.json'), {
      main: `../dist/cjs/${name}.js`,
      module: `../dist/esm/${name}.js`,
      types: `../dist/cjs/${name}.d.ts`,
      sideEffects: false
    })
  }
  process.stdout.write(`build: ${sources.length} modules into dist/cjs and dist/esm, ${entries.length} entries\n`)
}

main()

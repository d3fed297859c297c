/**
 * The consumer check of `npm run check:package`: installs the packed tarball, as users do, into
 * fresh projects set up the ways TypeScript and Node projects are, typechecks each with the pinned
 * TypeScript 5.9 and with TypeScript 7 (the native compiler), then runs each against the installed
 * files. Offline: `npm install --offline` takes fp-ts and io-ts from the npm cache that `npm ci`
 * filled, at the versions of the root's lock file; the entries' optional peers are linked from the
 * root's node_modules.
 *
 *   tsx scripts/package/check-consumers.ts [tarball]     without a tarball, builds and packs first
 *
 * The projects (each a folder of one workspace that shares node_modules):
 *
 *   node10           CommonJS, `moduleResolution: node` (TypeScript's default for `module: commonjs`)
 *   node16           CommonJS, `module: node16`
 *   nodenext         ES modules, `module: nodenext`
 *   bundler          `moduleResolution: bundler`, bundled with esbuild, run as one file
 *   exact-optional   nodenext with `exactOptionalPropertyTypes`: the testing guide's "inject the clock"
 *   require          plain `require` from a .cjs file, no TypeScript
 *   import           plain `import` from a .mjs file, no TypeScript
 *   bin              the `schedule-ts` command npm linked into node_modules/.bin
 *
 * Every project imports every entry of entries.ts, runs a retry on a TestClock and decodes a Config.
 */
import { execFile, execFileSync } from 'child_process'
import * as esbuild from 'esbuild'
import * as fs from 'fs'
import * as path from 'path'
import * as ts from 'typescript'
import { entries } from './entries'
import { build, pack, root, temporaryDirectory } from './tarball'

/** The root's lock file: the version of each package `npm ci` installed, and so put in the npm cache. */
const lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as {
  readonly packages: Record<string, { readonly resolved?: string; readonly version?: string }>
}

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'

/**
 * The registry tarball URL of a package at the version of the root's lock file: npm finds it in its
 * cache under that URL without asking the registry (a version range would need the registry's
 * metadata, which `npm ci` does not cache).
 */
const tarballUrl = (name: string, registry: string): string => {
  const entry = lock.packages[`node_modules/${name}`]
  if (entry?.version === undefined) {
    throw new Error(`${name} is not in the root's package-lock.json: npm install -E -D it`)
  }
  if (entry.resolved !== undefined) return entry.resolved
  return `${registry.replace(/\/?$/, '/')}${name}/-/${name.replace(/^@[^/]+\//, '')}-${entry.version}.tgz`
}

/**
 * The compilers every TypeScript project is checked with: the pinned 5.9 (the `typescript` package,
 * used through its API) and the latest 7.x (the native compiler, the `typescript7` alias, run as `tsc`).
 */
const compilers = [
  { name: 'TypeScript 5.9', tsc: path.join(root, 'node_modules', 'typescript', 'bin', 'tsc') },
  { name: 'TypeScript 7', tsc: path.join(root, 'node_modules', 'typescript7', 'bin', 'tsc') }
] as const

type Style = 'cjs' | 'esm'

interface Project {
  readonly name: string
  readonly type: 'commonjs' | 'module'
  /** compilerOptions, on top of the strict ones every project has; none for a project without TypeScript. */
  readonly compilerOptions?: Record<string, unknown>
  /** Compilers that cannot check this project, and why. */
  readonly unsupported?: Partial<Record<(typeof compilers)[number]['name'], string>>
  readonly file: string
  readonly source: string
  /** How the project is run: compiled by TypeScript 5.9 then run, bundled with esbuild then run, or run as is. */
  readonly run: 'compiled' | 'bundled' | 'as-is' | 'bin'
}

// -------------------------------------------------------------------------------------
// the code each project runs
// -------------------------------------------------------------------------------------

/** `fp-ts/function` under Node's own ESM loader fails (fp-ts 2 has no `exports`): ES modules name the file. */
const fpTs = (style: Style, module: string): string => (style === 'esm' ? `fp-ts/lib/${module}.js` : `fp-ts/${module}`)

const identifier = (name: string): string => `Entry${name}`

/** Imports every entry (ES syntax, or `require`), then the scenario every project runs. */
const program = (style: Style, typed: boolean, syntax: 'import' | 'require'): string => {
  const imports =
    syntax === 'import'
      ? [
          `import * as E from '${fpTs(style, 'Either')}'`,
          `import { pipe } from '${fpTs(style, 'function')}'`,
          `import * as Root from 'schedule-ts'`,
          ...entries.map(({ name }) => `import * as ${identifier(name)} from 'schedule-ts/${name}'`)
        ]
      : [
          `const E = require('fp-ts/Either')`,
          `const { pipe } = require('fp-ts/function')`,
          `const Root = require('schedule-ts')`,
          ...entries.map(({ name }) => `const ${identifier(name)} = require('schedule-ts/${name}')`)
        ]
  const t = (type: string): string => (typed ? `: ${type}` : '')
  return `${imports.join('\n')}
${typed ? `import type { TaskEither } from '${fpTs(style, 'TaskEither')}'\n` : ''}
const check = (condition${t('boolean')}, what${t('string')})${t('void')} => {
  if (!condition) throw new Error('consumer check failed: ' + what)
}

// every entry loads, exports something, and the root entry's namespaces are the entries' modules
const entries${t('Record<string, object>')} = { ${entries
    .map(({ name }) => `${name}: ${identifier(name)}`)
    .join(', ')} }
for (const [name, module] of Object.entries(entries)) {
  check(Object.keys(module).length > 0, name + ' exports nothing')
}
check(Root.Schedule.exponential === EntrySchedule.exponential, 'the root entry re-exports Schedule')
check(Root.TaskEither.retry === EntryTaskEither.retry, 'the root entry re-exports TaskEither')

const main = async ()${t('Promise<void>')} => {
  // a retry on virtual time: two failures, then a success
  const clock = EntryTestClock.make()
  let calls = 0
  const flaky${t('TaskEither<string, number>')} = () => Promise.resolve(++calls < 3 ? E.left('503') : E.right(42))
  const policy = pipe(EntrySchedule.exponential(100), EntrySchedule.jittered, EntrySchedule.maxRetries(5))
  const run = pipe(flaky, EntryTaskEither.retry(policy, { clock, random: () => 0.5 }))()
  await clock.runAll()
  const result = await run
  check(E.isRight(result) && result.right === 42, 'retry result: ' + JSON.stringify(result))
  check(JSON.stringify(clock.sleeps) === '[100,200]', 'retry sleeps: ' + JSON.stringify(clock.sleeps))

  // a policy as data, decoded by io-ts
  const decoded = EntryConfig.decode({ exponential: { base: '100ms' }, maxRetries: 2 })
  check(E.isRight(decoded), 'Config.decode: ' + JSON.stringify(decoded))
  const invalid = EntryConfig.decode({ exponential: { base: '10' } })
  check(E.isLeft(invalid), 'Config.decode accepted a duration without a unit')
  console.log('ok: ' + Object.keys(entries).length + ' entries and the root entry; retried twice on a TestClock; Config decoded')
}

// a rejection ends the process with an error and a non-zero status
void main()
`
}

/** The testing guide's "inject the clock" pattern, as it reads there, under exactOptionalPropertyTypes. */
const injectTheClock = `import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import type { Clock } from 'schedule-ts/Clock'
import * as S from 'schedule-ts/Schedule'
import * as Retry from 'schedule-ts/TaskEither'
import * as TestClock from 'schedule-ts/TestClock'

interface Deps {
  readonly clock?: Clock // the live clock when absent
  readonly fetchPrice: (sku: string) => TE.TaskEither<string, number>
}

const pricePolicy = pipe(S.exponential(500), S.jittered, S.capDelay(4_000), S.maxRetries(4))

export const makePrices = ({ clock, fetchPrice }: Deps) => {
  const retrying = Retry.retryK(pricePolicy, { clock })
  return { get: retrying(fetchPrice) }
}

const clock = TestClock.make()
let calls = 0
const prices = makePrices({
  clock,
  fetchPrice: () => () => Promise.resolve(++calls < 3 ? E.left('timeout') : E.right(9.99))
})
const run = prices.get('sku-1')()
await clock.runAll()
const result = await run
if (!(E.isRight(result) && result.right === 9.99 && clock.sleeps.length === 2)) {
  throw new Error('consumer check failed: ' + JSON.stringify({ result, sleeps: clock.sleeps }))
}
console.log('ok: the clock injected as an optional dependency')
`

// -------------------------------------------------------------------------------------
// the projects
// -------------------------------------------------------------------------------------

const projects: ReadonlyArray<Project> = [
  {
    name: 'node10',
    type: 'commonjs',
    compilerOptions: { module: 'commonjs', moduleResolution: 'node' },
    unsupported: { 'TypeScript 7': 'TypeScript 7 removed moduleResolution node10: error TS5108' },
    file: 'index.ts',
    source: program('cjs', true, 'import'),
    run: 'compiled'
  },
  {
    name: 'node16',
    type: 'commonjs',
    compilerOptions: { module: 'node16', moduleResolution: 'node16' },
    file: 'index.ts',
    source: program('cjs', true, 'import'),
    run: 'compiled'
  },
  {
    name: 'nodenext',
    type: 'module',
    compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext' },
    file: 'index.ts',
    source: program('esm', true, 'import'),
    run: 'compiled'
  },
  {
    name: 'bundler',
    type: 'module',
    compilerOptions: { module: 'esnext', moduleResolution: 'bundler', noEmit: true },
    file: 'index.ts',
    source: program('esm', true, 'import'),
    run: 'bundled'
  },
  {
    name: 'exact-optional',
    type: 'module',
    compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', exactOptionalPropertyTypes: true },
    file: 'index.ts',
    source: injectTheClock,
    run: 'compiled'
  },
  { name: 'require', type: 'commonjs', file: 'index.cjs', source: program('cjs', false, 'require'), run: 'as-is' },
  {
    name: 'import',
    type: 'module',
    file: 'index.mjs',
    // and the fp-ts gotcha the README warns about, so that it stays true
    source: `${program('esm', false, 'import')}
import('fp-ts/function').then(
  () => {
    console.error('fp-ts/function now loads under Node ESM: update the README')
    process.exitCode = 1
  },
  (error) => check(error.code === 'ERR_UNSUPPORTED_DIR_IMPORT', 'fp-ts/function: ' + error.code)
)
`,
    run: 'as-is'
  },
  {
    name: 'bin',
    type: 'commonjs',
    file: 'policy.json',
    source: '{"exponential": {"base": "100ms"}, "maxRetries": 3}',
    run: 'bin'
  }
]

// -------------------------------------------------------------------------------------
// running
// -------------------------------------------------------------------------------------

const writeJson = (file: string, value: unknown): void => fs.writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`)

/** Runs a command in `cwd`; on failure, throws with what it printed. */
const exec = (command: string, args: ReadonlyArray<string>, cwd: string): string => {
  try {
    return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string }
    throw new Error(`${[command, ...args].join(' ')} (in ${cwd}) failed:\n${stdout ?? ''}${stderr ?? ''}`)
  }
}

/** The workspace: a package.json with the tarball and the peers, installed offline from the npm cache. */
/**
 * The workspace: the tarball and its peer dependencies fp-ts and io-ts, installed by npm offline from
 * its cache; then the entries' optional peers (entries.ts), linked from the root's node_modules with
 * the packages they depend on, which npm could not resolve offline (their version ranges need the
 * registry's metadata).
 */
const install = (workspace: string, tarball: string): void => {
  const dependencies: Record<string, string> = { 'schedule-ts': `file:${tarball}` }
  const registry = exec(npm, ['config', 'get', 'registry'], root).trim()
  for (const peer of ['fp-ts', 'io-ts']) dependencies[peer] = tarballUrl(peer, registry)
  writeJson(path.join(workspace, 'package.json'), { name: 'consumers', private: true, dependencies })
  exec(npm, ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'], workspace)
  for (const { name, peer } of entries) {
    if (peer === undefined) continue
    const installed = path.join(root, 'node_modules', peer)
    if (!fs.existsSync(installed)) {
      throw new Error(`${peer}, the optional peer of ${name}, is not installed: npm install -E -D it, then npm ci`)
    }
    const link = path.join(workspace, 'node_modules', peer)
    fs.mkdirSync(path.dirname(link), { recursive: true })
    fs.symlinkSync(installed, link, 'dir')
  }
}

const setUp = (workspace: string, project: Project): string => {
  const dir = path.join(workspace, project.name)
  fs.mkdirSync(dir)
  writeJson(path.join(dir, 'package.json'), { type: project.type })
  fs.writeFileSync(path.join(dir, project.file), project.source)
  if (project.compilerOptions !== undefined) {
    writeJson(path.join(dir, 'tsconfig.json'), {
      compilerOptions: {
        target: 'es2022',
        lib: ['es2022', 'dom'],
        strict: true,
        noUncheckedIndexedAccess: true,
        esModuleInterop: true,
        skipLibCheck: false, // the package's declarations must compile under each project's settings
        skipDefaultLibCheck: true,
        types: [],
        outDir: 'out',
        ...project.compilerOptions
      },
      files: [project.file]
    })
  }
  return dir
}

/**
 * Source files of lib and node_modules parsed once for every project checked by TypeScript 5.9 in this
 * process: the projects share fp-ts's, io-ts's and the package's declarations, and a `tsc` process per
 * project would parse them (and lib.dom.d.ts) again each time.
 */
const parsed = new Map<string, ts.SourceFile | undefined>()

const cachingHost = (options: ts.CompilerOptions): ts.CompilerHost => {
  const host = ts.createCompilerHost(options)
  const getSourceFile = host.getSourceFile.bind(host)
  host.getSourceFile = (fileName, languageVersionOrOptions, onError, shouldCreate) => {
    if (!fileName.includes('/node_modules/'))
      return getSourceFile(fileName, languageVersionOrOptions, onError, shouldCreate)
    const { languageVersion, impliedNodeFormat } =
      typeof languageVersionOrOptions === 'object'
        ? languageVersionOrOptions
        : { languageVersion: languageVersionOrOptions, impliedNodeFormat: undefined }
    const key = `${fileName}|${languageVersion}|${impliedNodeFormat}`
    if (!parsed.has(key)) parsed.set(key, getSourceFile(fileName, languageVersionOrOptions, onError, shouldCreate))
    return parsed.get(key)
  }
  return host
}

/** Typechecks (and, with `emit`, compiles) `dir` with TypeScript 5.9, in this process. */
const typecheck59 = (dir: string, emit: boolean): void => {
  const config = ts.getParsedCommandLineOfConfigFile(
    path.join(dir, 'tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
        throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'))
      }
    }
  ) as ts.ParsedCommandLine
  const options = { ...config.options, noEmit: !emit }
  const program = ts.createProgram({ rootNames: config.fileNames, options, host: cachingHost(options) })
  const diagnostics = [...config.errors, ...ts.getPreEmitDiagnostics(program)]
  if (emit && diagnostics.length === 0) diagnostics.push(...program.emit().diagnostics)
  if (diagnostics.length > 0) {
    throw new Error(
      `TypeScript ${ts.version} in ${dir}:\n${ts.formatDiagnostics(diagnostics, {
        getCanonicalFileName: (name) => name,
        getCurrentDirectory: () => dir,
        getNewLine: () => '\n'
      })}`
    )
  }
}

/** Runs a command in `cwd` in the background; resolves when it succeeds, rejects with what it printed. */
const execInBackground = (command: string, args: ReadonlyArray<string>, cwd: string): Promise<void> =>
  new Promise((resolve, reject) => {
    execFile(command, args, { cwd, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error === null) resolve()
      else reject(new Error(`${[command, ...args].join(' ')} (in ${cwd}) failed:\n${stdout}${stderr}`))
    })
  })

const runProject = async (dir: string, project: Project): Promise<string> => {
  if (project.run === 'as-is') return exec(process.execPath, [project.file], dir)
  if (project.run === 'bin') {
    const output = exec(path.join(dir, '..', 'node_modules', '.bin', 'schedule-ts'), ['explain', project.source], dir)
    if (!/attempts/i.test(output)) throw new Error(`schedule-ts explain printed no attempts:\n${output}`)
    return `schedule-ts explain: ${output.trim().split('\n')[0]}`
  }
  if (project.run === 'compiled') {
    return exec(process.execPath, [path.join('out', project.file.replace(/\.ts$/, '.js'))], dir)
  }
  await esbuild.build({
    entryPoints: [path.join(dir, project.file)],
    outfile: path.join(dir, 'out', 'bundle.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'silent'
  })
  return exec(process.execPath, [path.join('out', 'bundle.mjs')], dir)
}

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error))

const main = async (): Promise<void> => {
  const started = performance.now()
  const workspace = temporaryDirectory('schedule-ts-consumers')
  let failed = 0
  try {
    let tarball = process.argv[2]
    if (tarball === undefined) {
      build()
      tarball = pack(workspace)
    }
    install(workspace, path.resolve(tarball))
    const dirs = projects.map((project) => setUp(workspace, project))
    const [typescript59, typescript7] = compilers
    const checks = (project: Project) =>
      project.compilerOptions === undefined
        ? []
        : compilers.filter((compiler) => project.unsupported?.[compiler.name] === undefined)
    // TypeScript 7 checks every project at once, in its own processes, while TypeScript 5.9 checks and
    // compiles them one by one in this one
    const native = projects.map((project, i) =>
      checks(project).includes(typescript7)
        ? execInBackground(process.execPath, [typescript7.tsc, '-p', dirs[i], '--noEmit'], dirs[i]).then(
            () => undefined,
            (error: unknown) => message(error)
          )
        : Promise.resolve(undefined)
    )
    for (const [i, project] of projects.entries()) {
      const problems: Array<string> = []
      let output = ''
      try {
        if (checks(project).includes(typescript59)) typecheck59(dirs[i], project.run === 'compiled')
        output = (await runProject(dirs[i], project)).trim().split('\n').pop() ?? ''
      } catch (error) {
        problems.push(message(error))
      }
      const nativeProblem = await native[i]
      if (nativeProblem !== undefined) problems.push(nativeProblem)
      const used = checks(project).map((compiler) => compiler.name)
      const checked = used.length === 0 ? 'no TypeScript' : `typechecked with ${used.join(' and ')}`
      if (problems.length === 0) {
        process.stdout.write(`  ${project.name.padEnd(15)} ${checked}; ran: ${output}\n`)
      } else {
        failed++
        process.stdout.write(`  ${project.name.padEnd(15)} FAILED (${checked.replace('typechecked', 'checked')})\n`)
        process.stderr.write(problems.map((problem) => `${problem}\n`).join(''))
      }
      for (const [name, why] of Object.entries(project.unsupported ?? {})) {
        process.stdout.write(`  ${''.padEnd(15)} ${name}: not checked (${why})\n`)
      }
    }
  } finally {
    fs.rmSync(workspace, { recursive: true, force: true })
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1)
  process.stdout.write(`consumers: ${projects.length - failed} passed, ${failed} failed (${seconds} s)\n`)
  if (failed > 0) process.exitCode = 1
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`)
  process.exitCode = 1
})

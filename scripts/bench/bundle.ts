/**
 * Bundle size: an entry (the shared policy and a retry, nothing else) bundled for the browser,
 * tree-shaken and minified, then gzipped. schedule-ts is measured as users get it: built, packed
 * with `npm pack` and installed from the tarball, never from `src/`.
 */
import * as esbuild from 'esbuild'
import * as fs from 'fs'
import * as path from 'path'
import { rolldown } from 'rolldown'
import * as zlib from 'zlib'
import { installedProject } from '../package/tarball'

export interface BundleSize {
  /** Minified bytes. */
  readonly minified: number
  /** Minified and gzipped (level 9) bytes. */
  readonly gzipped: number
  /** The files of the package (under `node_modules/schedule-ts/`) and the packages that went into the bundle. */
  readonly inputs: ReadonlyArray<string>
  /** The minified bytes each of those files left in the bundle (esbuild only: rolldown's are before minifying). */
  readonly bytes?: ReadonlyArray<readonly [string, number]>
}

const gzipped = (code: Uint8Array | string): number => zlib.gzipSync(code, { level: 9 }).length

const fpTs = /^fp-ts(\/|$)/

/**
 * Bundles `entry` (ESM source, imports resolved from `resolveDir`) with esbuild: `bundle`, `minify`,
 * tree-shaking, `format: 'esm'`, `platform: 'browser'`, `target: 'es2020'`. With `fpTsExternal`, fp-ts
 * is left out of the bundle (as when the application already ships it); otherwise everything is in.
 */
export const bundleSize = async (entry: string, resolveDir: string, fpTsExternal: boolean): Promise<BundleSize> => {
  const result = await esbuild.build({
    stdin: { contents: entry, resolveDir, loader: 'ts', sourcefile: 'entry.ts' },
    bundle: true,
    write: false,
    minify: true,
    treeShaking: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    external: fpTsExternal ? ['fp-ts', 'fp-ts/*'] : [],
    metafile: true,
    logLevel: 'silent'
  })
  const code = result.outputFiles[0].contents
  const bytes = Object.entries(Object.values(result.metafile.outputs)[0].inputs)
    .filter(([, input]) => input.bytesInOutput > 0)
    .map(([file, input]) => [packagePath(file), input.bytesInOutput] as const)
  return { minified: code.length, gzipped: gzipped(code), inputs: bytes.map(([file]) => file), bytes }
}

/**
 * The same with rolldown, the bundler of Vite 8, and its own minifier (what `vite build` does): unlike
 * esbuild, it drops the unused members of a namespace re-exported by name (`import { Schedule } from
 * 'schedule-ts'`), so it measures what the root entry costs where a bundler can shake it.
 */
export const rolldownSize = async (entry: string, resolveDir: string, fpTsExternal: boolean): Promise<BundleSize> => {
  const input = path.join(resolveDir, `entry-${process.pid}-${Date.now()}.js`)
  fs.writeFileSync(input, entry)
  try {
    const bundle = await rolldown({
      input,
      platform: 'browser',
      external: fpTsExternal ? fpTs : [],
      logLevel: 'silent'
    })
    const { output } = await bundle.generate({ format: 'esm', minify: true })
    await bundle.close()
    const chunk = output[0]
    return {
      minified: Buffer.byteLength(chunk.code),
      gzipped: gzipped(chunk.code),
      inputs: Object.entries(chunk.modules)
        .filter(([id, module]) => id !== input && module.renderedLength > 0)
        .map(([id]) => packagePath(id))
    }
  } finally {
    fs.rmSync(input, { force: true })
  }
}

/** `.../node_modules/schedule-ts/dist/esm/Schedule.js` as `schedule-ts/dist/esm/Schedule.js`, and so on. */
const packagePath = (file: string): string => {
  const at = file.lastIndexOf('node_modules/')
  return at === -1 ? file : file.slice(at + 'node_modules/'.length)
}

/** The benchmark's policy for schedule-ts, imported from the entries users import. */
export const policyEntries = {
  /** Through the module entries: `schedule-ts/Schedule` and `schedule-ts/TaskEither`. */
  modules: `
    import { pipe } from 'fp-ts/function'
    import { exponential, jittered, maxRetries } from 'schedule-ts/Schedule'
    import { retry } from 'schedule-ts/TaskEither'
    export const withRetry = retry(pipe(exponential(100), jittered, maxRetries(5)))
  `,
  /** Through the root entry: `import { Schedule, TaskEither } from 'schedule-ts'`. */
  root: `
    import { pipe } from 'fp-ts/function'
    import { Schedule, TaskEither } from 'schedule-ts'
    export const withRetry = TaskEither.retry(pipe(Schedule.exponential(100), Schedule.jittered, Schedule.maxRetries(5)))
  `
} as const

/**
 * Installs the packed package into a new project directory (with fp-ts and io-ts, its peer
 * dependencies, next to it); returns the directory to bundle entries from. Without `tarball`, builds
 * and packs the package first. The caller removes the directory.
 */
export const packedProject = (tarball?: string): string =>
  installedProject('schedule-ts-bundle', ['fp-ts', 'io-ts'], tarball)

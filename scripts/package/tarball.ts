/**
 * The package as users get it: `npm pack` of the built tree, unpacked into a project's node_modules.
 * Used by the bundle check, the consumer check, the browser test and the benchmark, so that each
 * measures or runs the published files rather than `src/`.
 */
import { execFileSync } from 'child_process'
import * as fs from 'fs'
import * as os from 'os'
import * as path from 'path'

/** The repository's root. */
export const root = path.resolve(__dirname, '..', '..')

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'

/** Runs `npm run build`: a fresh dist/ and entry folders. */
export const build = (): void => {
  execFileSync(npm, ['run', '--silent', 'build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] })
}

/** Packs the repository (as built) into `destination`; returns the tarball's path. */
export const pack = (destination: string): string => {
  const output = execFileSync(npm, ['pack', '--silent', '--pack-destination', destination], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit']
  })
  const name = output.trim().split('\n').pop() as string
  return path.join(destination, name)
}

/** A new empty directory under the system's temporary directory. */
export const temporaryDirectory = (prefix: string): string => fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`))

/**
 * Unpacks `tarball` as `<project>/node_modules/schedule-ts`, and links the given packages (fp-ts,
 * io-ts, ...) from the repository's node_modules next to it, as a package manager would install the
 * peer dependencies. Returns the package's directory.
 */
export const unpack = (tarball: string, project: string, links: ReadonlyArray<string>): string => {
  const modules = path.join(project, 'node_modules')
  const target = path.join(modules, 'schedule-ts')
  fs.mkdirSync(target, { recursive: true })
  // npm pack puts every file under package/
  execFileSync('tar', ['-xzf', tarball, '-C', target, '--strip-components=1'], { stdio: 'inherit' })
  for (const name of links) {
    const link = path.join(modules, name)
    fs.mkdirSync(path.dirname(link), { recursive: true })
    fs.symlinkSync(path.join(root, 'node_modules', name), link, 'dir')
  }
  return target
}

/**
 * Unpacks the package into a new project directory and returns that directory: from `tarball` when
 * given (the one `npm run check:package` packed), otherwise built and packed now.
 */
export const installedProject = (prefix: string, links: ReadonlyArray<string>, tarball?: string): string => {
  const project = temporaryDirectory(prefix)
  if (tarball === undefined) build()
  unpack(tarball ?? pack(project), project, links)
  return project
}

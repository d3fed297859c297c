/**
 * Loads the contenders (scripts/bench/contenders.ts: schedule-ts's src, the peers and the adapters)
 * and names the version of each.
 */
import * as esbuild from 'esbuild'
import * as fs from 'fs'
import * as path from 'path'
import type { Contender } from './contenders'

const root = path.resolve(__dirname, '..', '..')

/**
 * Bundles the contenders with esbuild, without `keepNames`, and loads them: tsx would otherwise
 * transform schedule-ts's src and the ESM-only peers with `keepNames`, which costs an
 * `Object.defineProperty` every time a named closure is created.
 */
export const load = async (): Promise<typeof import('./contenders')> => {
  const outfile = path.join(root, 'node_modules', '.cache', 'schedule-ts-bench', 'contenders.cjs')
  await esbuild.build({
    entryPoints: [path.join(__dirname, 'contenders.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'silent'
  })
  return require(outfile) as typeof import('./contenders')
}

/** The version the table shows for a contender: its installed package's, or schedule-ts's own. */
export const versionOf = (contender: Contender): string => {
  if (contender.package === undefined) return '-'
  const dir = contender.package === 'schedule-ts' ? root : path.join(root, 'node_modules', contender.package)
  const { version } = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }
  return contender.package === 'schedule-ts' ? `${version} (src; bundle: packed)` : version
}

/**
 * Bundle size: each contender's entry (the shared policy and a retry, nothing else) bundled by
 * esbuild for the browser, tree-shaken and minified, then gzipped.
 */
import * as esbuild from 'esbuild'
import * as zlib from 'zlib'

export interface BundleSize {
  /** Minified bytes. */
  readonly minified: number
  /** Minified and gzipped (level 9) bytes. */
  readonly gzipped: number
}

/**
 * Bundles `entry` (ESM source, imports resolved from `resolveDir`). With `fpTsExternal`, fp-ts is left
 * out of the bundle (as when the application already ships it); otherwise everything is included.
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
    logLevel: 'silent'
  })
  const code = result.outputFiles[0].contents
  return { minified: code.length, gzipped: zlib.gzipSync(code, { level: 9 }).length }
}

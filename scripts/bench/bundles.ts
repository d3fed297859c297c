/**
 * Phase 6, bundle size: each contender's policy bundled for the browser (./bundle measures it), with
 * and without fp-ts in the bundle; schedule-ts as published, built, packed and installed from the
 * tarball.
 */
import * as fs from 'fs'
import { bundleSize, packedProject, policyEntries } from './bundle'
import { fmt } from './measure'
import type { Phase } from './phase'

export const bundles: Phase = async ({ contenders, isNotApplicable, set, notApplicable }) => {
  const resolveDir = __dirname
  // schedule-ts is measured as published: built, packed, installed from the tarball, imported by module
  const packed = packedProject()
  const builds: Array<Promise<void>> = []
  for (const c of contenders) {
    const published = c.package === 'schedule-ts'
    const entry = published ? policyEntries.modules : c.bundle
    if (isNotApplicable(entry)) {
      notApplicable(c, 'bundle', entry.na, 'bytes')
      notApplicable(c, 'bundleFpTsExternal', entry.na, 'bytes')
      continue
    }
    for (const [column, external] of [
      ['bundle', false],
      ['bundleFpTsExternal', true]
    ] as const) {
      builds.push(
        bundleSize(entry, published ? packed : resolveDir, external).then((size) =>
          set(c, column, {
            value: size.gzipped,
            unit: 'bytes gzipped',
            text: size.gzipped >= 10_240 ? `${fmt(size.gzipped / 1024, 0)} KB` : `${fmt(size.gzipped / 1024, 2)} KB`,
            note: `${fmt(size.gzipped)} bytes gzipped, ${fmt(size.minified)} bytes minified${
              published ? ', from the packed tarball' : ''
            }`
          })
        )
      )
    }
  }
  try {
    await Promise.all(builds)
  } finally {
    fs.rmSync(packed, { recursive: true, force: true })
  }
}

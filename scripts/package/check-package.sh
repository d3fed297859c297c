#!/usr/bin/env bash
# Checks the package as it would be published, from the tarball `npm pack` makes (run after
# `npm run build`; `npm run check:package` does both):
#   1. the tarball holds what it should: dist/cjs, dist/esm, a folder per entry, src, README, LICENSE;
#   2. publint on the tarball;
#   3. arethetypeswrong on every entry (scripts/package/entries.ts) under node10, node16 (from CJS and
#      from ESM) and bundler resolution, with nothing ignored;
#   4. the bundle size of the benchmark's policy (scripts/package/check-bundle.ts);
#   5. fresh consumer projects install the tarball offline, typecheck and run
#      (scripts/package/check-consumers.ts).
# Fails on any problem. Needs no network: everything comes from the lock file via npm's cache.
set -euo pipefail
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tarball="$tmp/$(npm pack --silent --pack-destination "$tmp" | tail -n 1)"

mapfile -t names < <(npx tsx -e "import { entries } from './scripts/package/entries'; for (const e of entries) console.log(e.name)")

echo "1. tarball contents"
contents=$(tar -tzf "$tarball")
for required in package/LICENSE package/README.md package/package.json package/dist/cjs/index.js \
  package/dist/cjs/index.d.ts package/dist/esm/index.js package/dist/esm/index.d.ts package/dist/esm/package.json \
  package/dist/cjs/package.json package/dist/cjs/internal/bin.js; do
  grep -qx "$required" <<<"$contents" || { echo "missing from the tarball: ${required#package/}"; exit 1; }
done
for name in "${names[@]}"; do
  for required in "$name/package.json" "dist/cjs/$name.js" "dist/cjs/$name.d.ts" "dist/esm/$name.js" "dist/esm/$name.d.ts" "src/$name.ts"; do
    grep -qx "package/$required" <<<"$contents" || { echo "missing from the tarball: $required"; exit 1; }
  done
done
folders=$(grep -E '^package/[A-Za-z]+/package\.json$' <<<"$contents" | sed -E 's#^package/([A-Za-z]+)/package\.json$#\1#' | sort)
if [ "$folders" != "$(printf '%s\n' "${names[@]}" | sort)" ]; then
  echo "the entry folders in the tarball are not the entries of scripts/package/entries.ts:"
  echo "$folders"
  exit 1
fi
unexpected=$(grep -vE '^package/(dist/(cjs|esm)/|src/|[A-Za-z]+/package\.json$|package\.json$|README\.md$|LICENSE$)' <<<"$contents" || true)
if [ -n "$unexpected" ]; then
  echo "unexpected files in the tarball:"
  echo "$unexpected"
  exit 1
fi
echo "   $(wc -l <<<"$contents") files, $(du -k "$tarball" | cut -f1) KB packed"

echo "2. publint"
npx publint --strict "$tarball"

echo "3. arethetypeswrong: node10, node16 (CJS and ESM), bundler"
entrypoints=(.)
for name in "${names[@]}"; do entrypoints+=("./$name"); done
npx attw "$tarball" --format table-flipped --entrypoints "${entrypoints[@]}"

# the last two both run, so that one failing does not hide the other
status=0
echo "4. bundle size"
npx tsx scripts/package/check-bundle.ts "$tarball" || status=1

echo "5. consumer projects"
npx tsx scripts/package/check-consumers.ts "$tarball" || status=1
exit $status

#!/usr/bin/env bash
# Checks the package as it would be published: publint on the package, and
# @arethetypeswrong/cli on the packed tarball (ESM and CommonJS consumers, with types for both).
# Fails on any problem either reports. Run after `npm run build`.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tarball=$(npm pack --silent --pack-destination "$tmp" | tail -n 1)
npx publint --strict "$tmp/$tarball"
# node10 resolution (no "exports" support) is out of scope: Node 10 and TypeScript moduleResolution "node" predate subpath exports
npx attw --profile node16 "$tmp/$tarball"

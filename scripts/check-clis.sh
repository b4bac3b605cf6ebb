#!/usr/bin/env bash
# npm run check:clis — install the real agent CLIs into a cache dir and show that every built-in
# command this code builds reaches the CLI's own authentication check (not a flag error).
# Needs the npm registry; not part of `npm test`. Override the cache with CLI_CACHE=DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
cache="${CLI_CACHE:-.cache/clis}"
mkdir -p "$cache"
[ -f "$cache/package.json" ] || echo '{ "private": true }' >"$cache/package.json"
# claude-code 2.1.332 is the newest that runs on Node 20 (it warns about its engines field, then
# runs: it is a native binary). codex and gemini are pinned to the versions PLATFORM-NOTES checked.
echo "installing the agent CLIs into $cache …"
npm install --prefix "$cache" --no-audit --no-fund --loglevel=error \
  @anthropic-ai/claude-code@2.1.332 @openai/codex@0.169.0 @google/gemini-cli@0.61.0 2>&1 |
  grep -v 'EBADENGINE\|^npm warn' || true
exec node bin/run-ts.js scripts/check-clis.ts "$(cd "$cache" && pwd)/node_modules/.bin"

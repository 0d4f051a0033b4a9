#!/usr/bin/env bash
# Runs one benchmark script (bench/NAME.ts) against a fresh moto server.
# Usage: ./bench/run.sh provision
set -euo pipefail
name="${1:?usage: bench/run.sh NAME (one of: $(cd "$(dirname "$0")" && ls *.ts | grep -v -e countingProxy -e pool | sed 's/\.ts$//' | tr '\n' ' '))}"
shift
source "$(dirname "$0")/../scripts/lib.sh"
ensure_node
ensure_yarn
ensure_deps
ensure_moto
[[ "$name" == audit ]] && { ensure_chromium || true; }
# Peers the catalog benchmark compares with: not dependencies of the repository.
peer=@roadiehq/catalog-backend-module-aws
if [[ "$name" == catalog && ! -f "$TOOLS/bench-peers/node_modules/$peer/package.json" ]]; then
  log "installing $peer@5 into .tools/bench-peers"
  npm install --prefix "$TOOLS/bench-peers" --no-audit --no-fund --loglevel=error "$peer@5" >&2 ||
    die "npm install $peer@5 failed"
fi
# The host benchmark: a PostgreSQL of ours (the built backend runs on it, as the
# image does; BENCH_HOST_DB=postgres runs the source on it too).
if [[ "$name" == host ]]; then
  pg_port="$(free_port 54331)"
  pg_destroy "$pg_port" # a fresh cluster: each run measures the same, and none is left behind
  pg_start "$pg_port" || die "could not start PostgreSQL"
  trap 'pg_release' EXIT
fi
port="$(free_port 5075)"
moto_start "$port"
trap 'moto_stop; [[ -n "${pg_port:-}" ]] && pg_release; true' EXIT
moto_env "$port"
cd "$ROOT"
node --no-warnings "bench/$name.ts" "$@"

#!/usr/bin/env bash
# Runs one benchmark script (bench/NAME.ts) against a fresh moto server.
# Usage: ./bench/run.sh provision
set -euo pipefail
name="${1:?usage: bench/run.sh NAME (one of: $(cd "$(dirname "$0")" && ls *.ts | grep -v countingProxy | sed 's/\.ts$//' | tr '\n' ' '))}"
shift
source "$(dirname "$0")/../scripts/lib.sh"
ensure_node
ensure_yarn
ensure_deps
ensure_moto
port="$(free_port 5075)"
moto_start "$port"
trap moto_stop EXIT
moto_env "$port"
cd "$ROOT"
node --no-warnings "bench/$name.ts" "$@"

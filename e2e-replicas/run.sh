#!/usr/bin/env bash
# Two backend replicas on one PostgreSQL: what several replicas in production rely on.
#
#   PostgreSQL (scripts/lib.sh pg_start) + moto + two backends from the same source
#   with the same config files (app-config.yaml, app-config.postgres.yaml,
#   e2e-replicas/app-config.replicas.yaml, e2e-replicas/app-config.static-token.yaml),
#   A on 7207 and B on 7208, both on the same databases; then the local OpenID
#   provider and a user token (jane.doe) through A; then e2e-replicas/check.mjs:
#
#   a. scaffolder tasks created on A (TASKS, default 3, at once) each run exactly once
#      (their event lists through B: every step begun once, one completion; and
#      which replica's log names the task);
#   b. the catalog provider's scheduled sync (MeterSiemEntityProvider:main:refresh,
#      every 5 s here) never runs on both replicas at once (both replicas' scheduler
#      state sampled every 100 ms, plus the "Synced" log lines of each);
#   c. each new integration is in the catalog via B within 10 s of its task's end;
#   d. fail-over: A is stopped; a task created through B runs once, on B, and B
#      takes over the scheduled sync.
#
# Knobs: REPLICA_A_PORT (7207), REPLICA_B_PORT (7208), PG_PORT (54321), TASKS,
# OBSERVE_SECONDS (40), REPLICAS_FRESH_DB=0 (keep the replicas_ databases of the
# last run instead of dropping them), REPLICAS_START=together (see below). Logs .run/replica-a.log, .run/replica-b.log; results
# .run/replicas.json. Ends with "N passed, N failed"; exit 0 when all passed.
set -uo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"

cd "$ROOT" || exit 1
ensure_installed

RESULT="$RUN_DIR/replicas.json"
rm -f "$RESULT"
T0=$SECONDS

cleanup() {
  stop_bg replica-a
  stop_bg replica-b
  idp_stop
  moto_stop
  pg_release
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail_now() {
  log "ERROR: $*"
  printf '{"passed": 0, "failed": 1, "error": "%s"}\n' "$*" >"$RESULT"
  echo "0 passed, 1 failed"
  exit 1
}

PORT_A="${REPLICA_A_PORT:-7207}"
PORT_B="${REPLICA_B_PORT:-7208}"
for p in "$PORT_A" "$PORT_B"; do
  port_free "$p" || fail_now "port $p is busy (REPLICA_A_PORT / REPLICA_B_PORT to change)"
done
URL_A="http://localhost:$PORT_A"
URL_B="http://localhost:$PORT_B"

t=$SECONDS
pg_start "${PG_PORT:-54321}" || fail_now "PostgreSQL did not start"
if [[ "${REPLICAS_FRESH_DB:-1}" == 1 ]]; then
  node e2e-replicas/check.mjs drop-dbs replicas_ >&2 || fail_now "could not reset the replicas_ databases"
fi
log "PostgreSQL ready in $((SECONDS - t)) s"

ensure_moto
MPORT="$(free_port "${MOTO_REPLICAS_PORT:-5155}")"
moto_start "$MPORT" || fail_now "moto server did not start"
IPORT="$(free_port "${IDP_REPLICAS_PORT:-7219}")"

export TEST_STATIC_TOKEN
TEST_STATIC_TOKEN="replicas-$(node -p 'require("crypto").randomBytes(16).toString("hex")')"
transform="$(node -p 'require.resolve("@backstage/cli-node/config/nodeTransform.cjs")' 2>/dev/null)"
[[ -n "$transform" ]] || fail_now "@backstage/cli-node's nodeTransform.cjs not found"

# start_replica NAME PORT: the backend from source (what `backstage-cli package start`
# runs, minus its file watcher), as the e2e stage of scripts/test.sh does.
start_replica() {
  local name="$1" port="$2" url="http://localhost:$2"
  (
    moto_env "$MPORT"
    pg_env "$POSTGRES_PORT"
    export NODE_ENV=development
    export APP_CONFIG_app_baseUrl="$url" APP_CONFIG_backend_baseUrl="$url"
    export APP_CONFIG_backend_listen_port="$port" APP_CONFIG_backend_cors_origin="$url"
    export APP_CONFIG_auth_providers_oidc_development_metadataUrl="http://localhost:$IPORT/.well-known/openid-configuration"
    export ESBK_TSCONFIG_PATH="$ROOT/tsconfig.json"
    cd "$ROOT/packages/backend" || exit 1
    start_bg "replica-$name" "$RUN_DIR/replica-$name.log" \
      node --enable-source-maps --require "$transform" src/index.ts \
      --config ../../app-config.yaml --config ../../app-config.postgres.yaml \
      --config ../../e2e-replicas/app-config.replicas.yaml \
      --config ../../e2e-replicas/app-config.static-token.yaml
  ) >/dev/null
}

# wait_replica NAME URL: waits for its readiness, fails the run if it does not come
wait_replica() {
  if ! wait_http "$2/.backstage/health/v1/readiness" "${REPLICAS_READY_TIMEOUT:-120}" "$(cat "$RUN_DIR/replica-$1.pid")"; then
    tail -40 "$RUN_DIR/replica-$1.log" | sed 's/\x1b\[[0-9;]*m//g' | grep -v readiness >&2
    fail_now "replica $1 did not get ready (log .run/replica-$1.log)"
  fi
}

# On empty databases the first start runs every plugin's migrations, and two
# processes doing that at once fail (knex: "Migration table is already locked",
# or "relation ... already exists"); the failed one then stays up, answering 503.
# So A starts first and B once A is ready, as a deployment's first roll-out must
# (README, "PostgreSQL"). REPLICAS_START=together starts both at once.
t=$SECONDS
log "starting replica A on $URL_A and replica B on $URL_B (logs .run/replica-a.log, .run/replica-b.log)"
start_replica a "$PORT_A"
if [[ "${REPLICAS_START:-staggered}" == together ]]; then
  start_replica b "$PORT_B"
  wait_replica a "$URL_A"
else
  wait_replica a "$URL_A"
  log "replica A ready in $((SECONDS - t)) s (database migrated); starting B"
  start_replica b "$PORT_B"
fi
wait_replica b "$URL_B"
log "both replicas ready in $((SECONDS - t)) s"

idp_start "$IPORT" || fail_now "OpenID provider did not start on port $IPORT"
t=$SECONDS
USER_TOKEN="$(BACKEND_URL="$URL_A" IDP_URL="$IDP_URL" node scripts/token.mjs jane.doe | tail -1)"
[[ -n "$USER_TOKEN" ]] || fail_now "no user token for jane.doe through replica A"
log "user token for jane.doe through replica A in $((SECONDS - t)) s"

PID_A="$(cat "$RUN_DIR/replica-a.pid")" URL_A="$URL_A" URL_B="$URL_B" STATIC_TOKEN="$TEST_STATIC_TOKEN" USER_TOKEN="$USER_TOKEN" \
  LOG_A="$RUN_DIR/replica-a.log" LOG_B="$RUN_DIR/replica-b.log" RESULT_FILE="$RESULT" \
  node e2e-replicas/check.mjs replicas
rc=$?
log "replicas test done in $((SECONDS - T0)) s (logs .run/replica-a.log, .run/replica-b.log)"
exit "$rc"

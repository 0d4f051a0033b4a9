#!/usr/bin/env bash
# Builds what packages/backend/Dockerfile copies and runs the image's layout without
# a container runtime:
#
#   1. build      yarn build:backend -> packages/backend/dist/{skeleton,bundle}.tar.gz
#                 (the backend, its plugins and the built app)
#   2. layout     a temp dir laid out as the Dockerfile's /app: .yarn (no cache, no
#                 install state, as .dockerignore says), .yarnrc.yml, backstage.json,
#                 yarn.lock, package.json, the skeleton, `yarn workspaces focus --all
#                 --production` with NODE_ENV=production, templates/, examples/, the
#                 bundle, app-config.yaml, app-config.production.yaml,
#                 app-config.examples.yaml
#   3. run        PostgreSQL (scripts/postgres.sh's), then, in that dir, the image's CMD:
#                 node packages/backend --config app-config.yaml --config
#                 app-config.production.yaml (+ a test overlay with a static token)
#                 with the environment the production config reads
#   4. check      e2e-replicas/check.mjs image: ready, serves index.html and its
#                 scripts, both templates in the catalog, no example users, no guest
#   5. examples   the same with --config app-config.examples.yaml: the users are there
#
# Prints each phase's wall time. Knobs: IMAGE_TEST_SKIP_BUILD=1 (reuse dist/ when it
# is there), IMAGE_TEST_KEEP=1 (keep the layout dir), IMAGE_TEST_PORT (first port
# tried, 7207), PG_PORT (54321), IMAGE_TEST_EXAMPLES=0 (skip phase 5),
# IMAGE_TEST_LAYOUT_ONLY=1 (phases 1-2 only; the layout is kept, its path written to
# .run/image-layout.path: bench/host.ts starts it).
# Results: .run/image-test.json (passed, failed, checks, timings); log
# .run/backend-image.log. Ends with "N passed, N failed".
set -uo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cd "$ROOT" || exit 1
ensure_installed

PASSED=0
FAILED=0
LAYOUT=""
RESULT="$RUN_DIR/image-test.json"
LOGF="$RUN_DIR/backend-image.log"
declare -A PHASE_SECS=()
PHASES=()
phase_done() {
  PHASES+=("$1")
  PHASE_SECS[$1]=$2
  log "phase $1: $2 s"
}

cleanup() {
  stop_bg backend-image
  pg_release
  if [[ -n "$LAYOUT" && "${IMAGE_TEST_KEEP:-0}" != 1 ]]; then
    rm -rf "$LAYOUT"
  elif [[ -n "$LAYOUT" ]]; then
    log "layout kept in $LAYOUT"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail_now() {
  log "ERROR: $*"
  FAILED=$((FAILED + 1))
  printf '{"passed": %d, "failed": %d, "error": "%s"}\n' "$PASSED" "$FAILED" "$*" >"$RESULT"
  echo "$PASSED passed, $FAILED failed"
  exit 1
}

# ------------------------------------------------------------ 1. build
t=$SECONDS
if [[ "${IMAGE_TEST_SKIP_BUILD:-0}" == 1 && -f packages/backend/dist/bundle.tar.gz && -f packages/backend/dist/skeleton.tar.gz ]]; then
  log "IMAGE_TEST_SKIP_BUILD=1: reusing packages/backend/dist"
else
  log "yarn build:backend"
  yarn build:backend >"$RUN_DIR/image-build.log" 2>&1 ||
    { tail -30 "$RUN_DIR/image-build.log" >&2; fail_now "yarn build:backend failed (log: .run/image-build.log)"; }
fi
phase_done build $((SECONDS - t))

# ------------------------------------------------------------ 2. layout
t=$SECONDS
# Outside the repository, so that Yarn sees the layout as a project of its own.
LAYOUT="$(mktemp -d "${TMPDIR:-/tmp}/meter-siem-image.XXXXXX")"
log "laying out the image in $LAYOUT"
(
  set -e
  cd "$LAYOUT"
  # COPY .yarn, .yarnrc.yml, backstage.json (.dockerignore: no .yarn/cache, no install-state.gz)
  tar -C "$ROOT" --exclude=.yarn/cache --exclude=.yarn/install-state.gz -cf - .yarn | tar -xf -
  cp "$ROOT/.yarnrc.yml" "$ROOT/backstage.json" .
  # COPY yarn.lock package.json skeleton.tar.gz; tar xzf skeleton.tar.gz
  cp "$ROOT/yarn.lock" "$ROOT/package.json" .
  tar xzf "$ROOT/packages/backend/dist/skeleton.tar.gz"
) || fail_now "could not lay out $LAYOUT"
phase_done copy-skeleton $((SECONDS - t))

t=$SECONDS
log "yarn workspaces focus --all --production (NODE_ENV=production; log .run/image-focus.log)"
(cd "$LAYOUT" && NODE_ENV=production yarn workspaces focus --all --production) >"$RUN_DIR/image-focus.log" 2>&1 ||
  { tail -30 "$RUN_DIR/image-focus.log" >&2; fail_now "yarn workspaces focus --all --production failed (log: .run/image-focus.log)"; }
phase_done install-production $((SECONDS - t))

t=$SECONDS
(
  set -e
  cd "$LAYOUT"
  # COPY templates, examples; COPY bundle.tar.gz and the named config files; tar xzf bundle
  cp -R "$ROOT/templates" "$ROOT/examples" .
  cp "$ROOT/app-config.yaml" "$ROOT/app-config.production.yaml" "$ROOT/app-config.examples.yaml" .
  tar xzf "$ROOT/packages/backend/dist/bundle.tar.gz"
) || fail_now "could not unpack the bundle into $LAYOUT"
log "layout: $(du -sh "$LAYOUT" | cut -f1) ($(du -sh "$LAYOUT/node_modules" | cut -f1) of node_modules)"
phase_done copy-bundle $((SECONDS - t))

# Only the layout (the host benchmark runs it itself): kept, its path in .run/image-layout.path.
if [[ "${IMAGE_TEST_LAYOUT_ONLY:-0}" == 1 ]]; then
  echo "$LAYOUT" >"$RUN_DIR/image-layout.path"
  log "IMAGE_TEST_LAYOUT_ONLY=1: layout in $LAYOUT, not run"
  LAYOUT=""
  exit 0
fi

# ------------------------------------------------------------ 3-5. run and check
t=$SECONDS
pg_start "${PG_PORT:-54321}" || fail_now "PostgreSQL did not start"
phase_done postgres $((SECONDS - t))

PORT="$(free_port "${IMAGE_TEST_PORT:-7207}")"
URL="http://localhost:$PORT"
export TEST_STATIC_TOKEN
TEST_STATIC_TOKEN="image-test-$(node -p 'require("crypto").randomBytes(16).toString("hex")')"
DB_PREFIX=imagetest_

# run_image NAME [EXTRA CONFIG...]: starts the image's CMD in the layout and checks it
run_image() {
  local name="$1" examples=0 t pid rc
  shift
  [[ " $* " == *app-config.examples.yaml* ]] && examples=1
  t=$SECONDS
  node "$ROOT/e2e-replicas/check.mjs" drop-dbs "$DB_PREFIX" >&2 || fail_now "could not reset the test databases"
  log "starting the image's CMD in $LAYOUT on $URL ($name)"
  (
    cd "$LAYOUT" || exit 1
    pg_env "$POSTGRES_PORT"
    export NODE_ENV=production
    export AUTH_SESSION_SECRET=image-test-session-secret
    # The IdP is reached only at the first sign-in: unreachable dummies here.
    export OIDC_METADATA_URL=http://127.0.0.1:9/.well-known/openid-configuration
    export OIDC_CLIENT_ID=backstage OIDC_CLIENT_SECRET=image-test
    # No AWS here: the catalog's sync logs that it skipped, and the image still serves.
    export AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
    export APP_CONFIG_app_baseUrl="$URL" APP_CONFIG_backend_baseUrl="$URL"
    export APP_CONFIG_backend_listen=":$PORT" APP_CONFIG_backend_database_prefix="$DB_PREFIX"
    start_bg backend-image "$LOGF" node packages/backend --config app-config.yaml \
      --config app-config.production.yaml "$@" --config "$ROOT/e2e-replicas/app-config.static-token.yaml"
  ) >/dev/null
  pid="$(cat "$RUN_DIR/backend-image.pid")"
  if ! wait_http "$URL/.backstage/health/v1/readiness" 180 "$pid"; then
    tail -40 "$LOGF" >&2
    stop_bg backend-image
    FAILED=$((FAILED + 1))
    log "the image's backend did not get ready ($name; log .run/backend-image.log)"
    return 1
  fi
  phase_done "start-$name" $((SECONDS - t))
  t=$SECONDS
  BASE_URL="$URL" STATIC_TOKEN="$TEST_STATIC_TOKEN" EXAMPLES="$examples" \
    RESULT_FILE="$RUN_DIR/image-test-$name.json" node "$ROOT/e2e-replicas/check.mjs" image
  rc=$?
  phase_done "check-$name" $((SECONDS - t))
  local p f
  read -r p f < <(node -e 'const r=require(process.argv[1]);console.log(r.passed,r.failed)' "$RUN_DIR/image-test-$name.json" 2>/dev/null || echo "0 1")
  PASSED=$((PASSED + p))
  FAILED=$((FAILED + f))
  ((rc == 0 && f == 0)) || grep -iE '"level":"(error|warn)"' "$LOGF" | head -20 >&2
  stop_bg backend-image
  cp "$LOGF" "$RUN_DIR/backend-image-$name.log"
}

run_image default
[[ "${IMAGE_TEST_EXAMPLES:-1}" == 1 ]] && run_image examples --config app-config.examples.yaml

timings="$(for p in "${PHASES[@]}"; do printf '"%s": %s,' "$p" "${PHASE_SECS[$p]}"; done)"
printf '{"passed": %d, "failed": %d, "phaseSeconds": {%s}}\n' "$PASSED" "$FAILED" "${timings%,}" >"$RESULT"
echo
echo "phase times (s): $(for p in "${PHASES[@]}"; do printf '%s %s; ' "$p" "${PHASE_SECS[$p]}"; done)"
echo "$PASSED passed, $FAILED failed"
((FAILED == 0 && PASSED > 0))

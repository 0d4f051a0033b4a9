#!/usr/bin/env bash
# Runs every check of the repository and ends with one line "N passed, N failed".
#
#   type-check (tsc) -> lint -> prettier -> unit + integration tests (jest, against
#   a moto server started here) -> end-to-end tests (production build of the app
#   served by the backend, Playwright driving Debian's Chromium) -> production
#   image layout on PostgreSQL -> two backend replicas on one PostgreSQL
#
# Every stage runs even when an earlier one failed. Passed/failed counts are test
# cases (jest + Playwright); each failed non-test stage (tsc, lint, prettier, a
# crash) adds 1 to failed. Exits non-zero when anything failed or no test ran.
#
# Environment knobs: MOTO_TEST_PORT (first port tried for moto, default 5055),
# E2E_PORT (backend port for e2e, default 7007), IDP_TEST_PORT (first port tried
# for the e2e OpenID provider, default 7019), PG_TEST_PORT (first port tried for
# the jest stage's PostgreSQL, default 54341), CHROMIUM_PATH, and
# TEST_STAGES to run only some stages, e.g. TEST_STAGES="jest e2e".
set -uo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PASSED=0
FAILED=0
TESTS_RAN=0
SUMMARY=()
DONE=""
T0=$SECONDS

fmt_secs() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }

# record STAGE STATUS SECONDS DETAIL
record() {
  local line
  line="$(printf '%-11s %-5s %7s  %s' "$1" "$2" "$(fmt_secs "$3")" "$4")"
  SUMMARY+=("$line")
  log "stage $1: $2 in $(fmt_secs "$3")${4:+ ($4)}"
}

print_summary() {
  [[ -n "$DONE" ]] && return
  DONE=1
  echo
  echo "================ summary ================"
  printf '%s\n' "${SUMMARY[@]}"
  echo "total time $(fmt_secs $((SECONDS - T0)))"
  echo "${PASSED} passed, ${FAILED} failed"
}

cleanup() {
  local rc=$?
  stop_bg backend-e2e
  idp_stop
  moto_stop
  if [[ -z "$DONE" ]]; then
    # Reached only when something aborted the run (set-up failure, Ctrl-C).
    record aborted FAIL 0 "run aborted (exit $rc); see the log above"
    FAILED=$((FAILED + 1))
    print_summary
    exit 1
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

STAGES=" ${TEST_STAGES:-tsc lint prettier jest e2e image replicas} "
want() { [[ "$STAGES" == *" $1 "* ]]; }

# run_check STAGE CMD...: a non-test stage, fail adds 1
run_check() {
  local stage="$1" t=$SECONDS rc
  shift
  log "stage $stage: $*"
  "$@"
  rc=$?
  if ((rc == 0)); then
    record "$stage" PASS $((SECONDS - t)) ""
  else
    FAILED=$((FAILED + 1))
    record "$stage" FAIL $((SECONDS - t)) "exit $rc"
  fi
}

# The production-image and two-replica stages (stage_image, stage_replicas).
# shellcheck source=e2e-replicas/stage.sh
source "$ROOT/e2e-replicas/stage.sh"

# ------------------------------------------------------------------ set-up
t=$SECONDS
log "set-up: Node, Yarn, dependencies"
setup
ensure_moto
record setup PASS $((SECONDS - t)) "node $(node -v), yarn $(yarn -v)"

# ------------------------------------------------------------------ a. type-check
want tsc && run_check tsc yarn tsc

# ------------------------------------------------------------------ b. lint
want lint && run_check lint yarn backstage-cli repo lint

# ------------------------------------------------------------------ c. prettier
want prettier && run_check prettier yarn prettier --check .

# ------------------------------------------------------------------ d. jest
stage_jest() {
  local t=$SECONDS rc port out="$RUN_DIR/jest.json"
  port="$(free_port "${MOTO_TEST_PORT:-5055}")"
  if ! moto_start "$port"; then
    FAILED=$((FAILED + 1))
    record jest FAIL $((SECONDS - t)) "moto server did not start"
    return
  fi
  # PostgreSQL too, for the tests that run on both databases (TestDatabases);
  # without it they run on SQLite only.
  local pg_port pg_url="" jest_tmp
  jest_tmp="$(mktemp -d "${TMPDIR:-/tmp}/meter-siem-jest.XXXXXX")"
  pg_port="$(free_port "${PG_TEST_PORT:-54341}")"
  if pg_start "$pg_port"; then
    pg_url="postgresql://$POSTGRES_USER:$POSTGRES_PASSWORD@127.0.0.1:$pg_port"
  else
    log "stage jest: PostgreSQL did not start; database tests run on SQLite only"
  fi
  (
    moto_env "$port"
    export CI=true # no watch mode
    [[ -n "$pg_url" ]] && export BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING="$pg_url"
    # Under CI=true, Backstage's createMockDirectory leaves its directories for the
    # machine to discard; ours go to RUNNER_TEMP (which it honours), removed below.
    export RUNNER_TEMP="$jest_tmp"
    log "stage jest: backstage-cli repo test (moto at $MOTO_URL${pg_url:+, PostgreSQL on 127.0.0.1:$pg_port})"
    rm -f "$out"
    # Jest's transform cache lives with the checkout (not /tmp/jest_<uid>, which
    # grows by a copy for every clone tested), so deleting a clone frees it.
    yarn backstage-cli repo test --json --outputFile="$out" --cacheDirectory="$RUN_DIR/jest-cache"
  )
  rc=$?
  moto_stop
  [[ -n "$pg_url" ]] && pg_release
  rm -rf "$jest_tmp"

  local counts="" p f
  [[ -s "$out" ]] && counts="$(node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const broken = r.testResults.filter(s => s.status === "failed" &&
      !s.assertionResults.some(a => a.status === "failed"));
    // suites that failed without a failing test: compile errors, hooks, open handles
    for (const s of broken) console.error("suite failed to run: " + s.name);
    console.log(r.numPassedTests, r.numFailedTests + broken.length, r.numTotalTestSuites, broken.length);
  ' "$out")"
  if [[ -z "$counts" ]]; then
    FAILED=$((FAILED + 1))
    record jest FAIL $((SECONDS - t)) "no results in .run/jest.json (exit $rc)"
    return
  fi
  local suites broken
  read -r p f suites broken <<<"$counts"
  PASSED=$((PASSED + p))
  FAILED=$((FAILED + f))
  TESTS_RAN=$((TESTS_RAN + p + f))
  local detail="$p passed, $f failed in $suites suites"
  ((broken > 0)) && detail+=" ($broken suites failed to run)"
  if ((rc != 0 && f == 0)); then
    FAILED=$((FAILED + 1))
    detail+="; jest exited $rc"
  fi
  if ((rc == 0 && f == 0)); then
    record jest PASS $((SECONDS - t)) "$detail"
  else
    record jest FAIL $((SECONDS - t)) "$detail"
  fi
}
want jest && stage_jest

# ------------------------------------------------------------------ e. end-to-end
stage_e2e() {
  local t=$SECONDS tb rc out="$RUN_DIR/playwright.json"
  if ! ensure_chromium; then
    FAILED=$((FAILED + 1))
    record e2e FAIL $((SECONDS - t)) "no Chromium"
    return
  fi

  log "stage e2e: building the frontend (yarn workspace app build)"
  tb=$SECONDS
  if ! yarn workspace app build; then
    FAILED=$((FAILED + 1))
    record e2e FAIL $((SECONDS - t)) "app build failed"
    return
  fi
  log "app built in $(fmt_secs $((SECONDS - tb)))"

  local port="${E2E_PORT:-7007}"
  if ! port_free "$port"; then
    if [[ -n "${E2E_PORT:-}" ]]; then
      FAILED=$((FAILED + 1))
      record e2e FAIL $((SECONDS - t)) "port $port is busy"
      return
    fi
    port="$(free_port 7100)"
    log "port 7007 is busy (a dev backend?); the e2e backend uses $port instead"
  fi
  local url="http://localhost:$port"

  local mport iport
  mport="$(free_port "${MOTO_TEST_PORT:-5055}")"
  # The OpenID provider starts only once the backend is up, which shows that the
  # backend starts (and serves) without it; its port is chosen now for the config.
  iport="$(free_port "${IDP_TEST_PORT:-7019}")"
  if ! moto_start "$mport"; then
    FAILED=$((FAILED + 1))
    record e2e FAIL $((SECONDS - t)) "moto server did not start"
    return
  fi

  log "starting the backend on $url (serves packages/app/dist)"
  tb=$SECONDS
  local transform pid
  transform="$(node -p 'require.resolve("@backstage/cli-node/config/nodeTransform.cjs")' 2>/dev/null)"
  (
    moto_env "$mport"
    export NODE_ENV=development
    export APP_CONFIG_app_baseUrl="$url" APP_CONFIG_backend_baseUrl="$url"
    export APP_CONFIG_backend_listen_port="$port" APP_CONFIG_backend_cors_origin="$url"
    export APP_CONFIG_auth_providers_oidc_development_metadataUrl="http://localhost:$iport/.well-known/openid-configuration"
    cd "$ROOT/packages/backend" || exit 1
    local cfg=(--config ../../app-config.yaml --config ../../app-config.e2e.yaml)
    if [[ -n "$transform" ]]; then
      # What `backstage-cli package start` runs, minus its file watcher (a change in
      # the tree must not restart the backend in the middle of the tests).
      export ESBK_TSCONFIG_PATH="$ROOT/tsconfig.json"
      start_bg backend-e2e "$RUN_DIR/backend-e2e.log" \
        node --enable-source-maps --require "$transform" src/index.ts "${cfg[@]}"
    else
      start_bg backend-e2e "$RUN_DIR/backend-e2e.log" yarn start "${cfg[@]}"
    fi
  ) >/dev/null
  pid="$(cat "$RUN_DIR/backend-e2e.pid")"
  if ! wait_http "$url/.backstage/health/v1/readiness" 180 "$pid" || ! wait_http "$url/" 30 "$pid"; then
    tail -40 "$RUN_DIR/backend-e2e.log" >&2
    stop_bg backend-e2e
    moto_stop
    FAILED=$((FAILED + 1))
    record e2e FAIL $((SECONDS - t)) "backend did not start (log: .run/backend-e2e.log)"
    return
  fi
  log "backend ready in $(fmt_secs $((SECONDS - tb))) (log: .run/backend-e2e.log)"

  if ! idp_start "$iport"; then
    stop_bg backend-e2e
    moto_stop
    FAILED=$((FAILED + 1))
    record e2e FAIL $((SECONDS - t)) "OpenID provider did not start on port $iport"
    return
  fi

  rm -f "$out"
  (
    moto_env "$mport"
    export CI=true PLAYWRIGHT_URL="$url" PLAYWRIGHT_JSON_OUTPUT_NAME="$out"
    export BACKEND_URL="$url" IDP_URL
    yarn playwright test
  )
  rc=$?
  stop_bg backend-e2e
  idp_stop
  moto_stop

  local counts="" p f
  [[ -s "$out" ]] && counts="$(node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const s = r.stats || {};
    // errors outside tests (config, global setup) count once
    const errs = (r.errors || []).length > 0 ? 1 : 0;
    console.log((s.expected || 0) + (s.flaky || 0), (s.unexpected || 0) + errs, s.flaky || 0, s.skipped || 0);
  ' "$out" 2>/dev/null)"
  if [[ -z "$counts" ]]; then
    FAILED=$((FAILED + 1))
    record e2e FAIL $((SECONDS - t)) "no results in .run/playwright.json (exit $rc)"
    return
  fi
  local flaky skipped
  read -r p f flaky skipped <<<"$counts"
  PASSED=$((PASSED + p))
  FAILED=$((FAILED + f))
  TESTS_RAN=$((TESTS_RAN + p + f))
  local detail="$p passed, $f failed"
  ((flaky > 0)) && detail+=", $flaky of them flaky (passed on retry)"
  ((skipped > 0)) && detail+=", $skipped skipped"
  if ((rc != 0 && f == 0)); then
    FAILED=$((FAILED + 1))
    detail+="; playwright exited $rc"
  fi
  if ((rc == 0 && f == 0)); then
    record e2e PASS $((SECONDS - t)) "$detail"
  else
    record e2e FAIL $((SECONDS - t)) "$detail; report: yarn playwright show-report e2e-test-report"
  fi
}
want e2e && stage_e2e

# ------------------------------------------------------------------ f. production image
# What packages/backend/Dockerfile copies, laid out as the image does and run on
# PostgreSQL (scripts/image-layout-test.sh).
want image && stage_image

# ------------------------------------------------------------------ g. replicas
# Two backends on one PostgreSQL (e2e-replicas/run.sh).
want replicas && stage_replicas

# ------------------------------------------------------------------ result
if ((TESTS_RAN == 0)); then
  SUMMARY+=("no test ran")
fi
print_summary
if ((FAILED > 0 || TESTS_RAN == 0)); then
  exit 1
fi
exit 0

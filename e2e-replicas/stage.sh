# shellcheck shell=bash
# Stages for scripts/test.sh (source this file there, after lib.sh and record()):
#
#   image     scripts/image-layout-test.sh: builds what packages/backend/Dockerfile
#             copies, lays it out as the image does, runs it on PostgreSQL, checks it
#   replicas  e2e-replicas/run.sh: two backends on one PostgreSQL (tasks once, syncs
#             one replica at a time, catalog shared, fail-over)
#
# Each check of their checker counts as one test case (passed or failed); a run that
# ends without results counts 1 failed. Uses test.sh's PASSED, FAILED, TESTS_RAN and
# record().

# _stage_counted STAGE RESULT_JSON CMD...: runs CMD, adds the counts of RESULT_JSON
_stage_counted() {
  local stage="$1" out="$2" t=$SECONDS rc counts p f
  shift 2
  log "stage $stage: $*"
  rm -f "$out"
  "$@"
  rc=$?
  counts=""
  [[ -s "$out" ]] && counts="$(node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    console.log(r.passed ?? 0, r.failed ?? 0);
  ' "$out" 2>/dev/null)"
  if [[ -z "$counts" ]]; then
    FAILED=$((FAILED + 1))
    record "$stage" FAIL $((SECONDS - t)) "no results in ${out#"$ROOT"/} (exit $rc)"
    return
  fi
  read -r p f <<<"$counts"
  PASSED=$((PASSED + p))
  FAILED=$((FAILED + f))
  TESTS_RAN=$((TESTS_RAN + p + f))
  local detail="$p passed, $f failed"
  if ((rc != 0 && f == 0)); then
    FAILED=$((FAILED + 1))
    detail+="; exited $rc"
  fi
  if ((rc == 0 && f == 0)); then
    record "$stage" PASS $((SECONDS - t)) "$detail"
  else
    record "$stage" FAIL $((SECONDS - t)) "$detail"
  fi
}

stage_image() {
  _stage_counted image "$RUN_DIR/image-test.json" bash "$ROOT/scripts/image-layout-test.sh"
}

stage_replicas() {
  _stage_counted replicas "$RUN_DIR/replicas.json" bash "$ROOT/e2e-replicas/run.sh"
}

#!/usr/bin/env bash
# Starts Backstage for local development against a local AWS emulator.
#
#   app      http://localhost:3000   (frontend dev server)
#   backend  http://localhost:7007
#   IdP      http://localhost:7009   (local OpenID provider, scripts/idp.mjs)
#   moto     http://127.0.0.1:4566   (AWS emulator; MOTO_PORT to change)
#
# Sign in with "ACME SSO": the IdP's form takes any login and password; use an
# example user of examples/org.yaml (jane.doe, sam.lee, alex.kim). "Guest" signs
# in as user:default/guest, who owns nothing. scripts/token.sh USER prints a token.
#
# Installs what is missing first (Node 24 into .tools/node if needed, dependencies,
# moto server into .tools/moto). Stops the IdP and moto on exit.
#
# METER_SIEM_AWS=real ./scripts/start.sh skips moto and uses real AWS: the SDK's
# normal credential chain plus the `aws:` section of your app-config (see README).
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

setup

trap 'idp_stop; moto_stop' EXIT
trap 'exit 130' INT TERM

# The backend's auth.providers.oidc.development.metadataUrl points here. It starts
# without the IdP too (sign-in is set up on first use), so a failure is not fatal.
idp_start 7009 ||
  log "WARNING: no OpenID provider on http://localhost:7009: ACME SSO sign-in fails until one answers there (guest sign-in works)"

if [[ "${METER_SIEM_AWS:-moto}" == real ]]; then
  log "METER_SIEM_AWS=real: no emulator; AWS credentials come from the SDK's default chain and aws: config"
  unset AWS_ENDPOINT_URL
else
  MOTO_PORT="${MOTO_PORT:-4566}"
  ensure_moto
  moto_start "$MOTO_PORT" || die "could not start moto server on port $MOTO_PORT"
  moto_env "$MOTO_PORT"
  log "AWS SDK clients point at $AWS_ENDPOINT_URL (dummy credentials, region $AWS_REGION)"
fi

log "starting Backstage: app http://localhost:3000, backend http://localhost:7007 (Ctrl-C to stop)"
# Not exec: the EXIT trap must still stop the IdP and moto when Backstage exits.
yarn start "$@"

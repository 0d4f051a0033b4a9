#!/usr/bin/env bash
# Prints a Backstage user token for an example user (a User entity's name, e.g.
# jane.doe), obtained through the OIDC sign-in like a browser would: backend
# /api/auth/oidc/start -> the local IdP's login form -> /handler/frame -> /refresh.
#
#   ./scripts/token.sh jane.doe
#   curl -H "Authorization: Bearer $(./scripts/token.sh jane.doe)" \
#     http://localhost:7007/api/catalog/entities?limit=1
#
# The token is the last line of stdout; progress goes to stderr. The backend must
# be running (BACKEND_URL, default http://localhost:7007). The local OpenID
# provider (scripts/idp.mjs, IDP_PORT default 7009) is started if it is not
# running, and left running. A user the catalog does not know is refused.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[[ $# -eq 1 && -n "$1" ]] || die "usage: $0 USER   (a User entity name, e.g. jane.doe)"

ensure_node
# oidc-provider is all this needs from node_modules: no install when it is there.
if [[ ! -f "$ROOT/node_modules/oidc-provider/package.json" ]]; then
  ensure_yarn
  ensure_deps
fi

export BACKEND_URL="${BACKEND_URL:-http://localhost:7007}"
IDP_PORT="${IDP_PORT:-7009}"
if idp_running "$IDP_PORT"; then
  log "OpenID provider answers on http://localhost:$IDP_PORT"
else
  idp_start "$IDP_PORT" || die "could not start the OpenID provider on port $IDP_PORT"
  log "the OpenID provider keeps running (pid in .run/idp-$IDP_PORT.pid); stop it with: kill \$(cat .run/idp-$IDP_PORT.pid)"
fi

log "signing in as $1 via $BACKEND_URL"
node "$ROOT/scripts/token.mjs" "$1"

# Shared by the project's scripts: pinned tool versions and a project-local tool folder.
# Source it; do not run it.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS_BIN="$ROOT/.tools/bin"
export PATH="$TOOLS_BIN:$PATH"

# Pinned versions. opa matches the OPA release that opa-envoy-plugin v1.19.1-envoy embeds.
OPA_VERSION="v1.19.1"
GRPCURL_VERSION="v1.9.3"
GHZ_VERSION="v0.121.0"
HELM_VERSION="v3.21.4"
# promtool checks and unit-tests the chart's alert rules (charts/openclaw-authz/files/alerts.yaml).
PROMTOOL_VERSION="v0.316.0"
# jaeger is the trace backend test/tracing.test.ts sends spans to; built from scripts/tools/jaeger,
# whose go.mod pins this version (and go.sum its dependencies).
JAEGER_VERSION="v1.76.0"

log() { printf '\033[1m==>\033[0m %s\n' "$*" >&2; }

# go_tool NAME MODULE_PATH VERSION: install NAME into .tools/bin with `go install` unless the
# pinned version is already there (a stamp file records what was installed).
go_tool() {
  local name="$1" module="$2" version="$3" stamp="$TOOLS_BIN/.$1.version"
  if [[ -x "$TOOLS_BIN/$name" && -f "$stamp" && "$(cat "$stamp")" == "$module@$version" ]]; then
    return 0
  fi
  command -v go >/dev/null || { echo "go is required to install $name" >&2; exit 1; }
  log "installing $name $version (go install $module@$version)"
  mkdir -p "$TOOLS_BIN"
  GOBIN="$TOOLS_BIN" GOFLAGS=-mod=mod go install "$module@$version"
  echo "$module@$version" >"$stamp"
}

ensure_opa() { go_tool opa github.com/open-policy-agent/opa "$OPA_VERSION"; }
ensure_grpcurl() { go_tool grpcurl github.com/fullstorydev/grpcurl/cmd/grpcurl "$GRPCURL_VERSION"; }
ensure_ghz() { go_tool ghz github.com/bojand/ghz/cmd/ghz "$GHZ_VERSION"; }
ensure_helm() { go_tool helm helm.sh/helm/v3/cmd/helm "$HELM_VERSION"; }
ensure_promtool() { go_tool promtool github.com/prometheus/prometheus/cmd/promtool "$PROMTOOL_VERSION"; }

# Jaeger's go.mod has replace directives, so `go install module@version` refuses it: a small
# tools module (scripts/tools/jaeger, `go get -tool github.com/jaegertracing/jaeger/cmd/jaeger@…`)
# requires it and builds it from there. A few minutes the first time.
ensure_jaeger() {
  local module="$ROOT/scripts/tools/jaeger" stamp="$TOOLS_BIN/.jaeger.version"
  grep -q "github.com/jaegertracing/jaeger $JAEGER_VERSION" "$module/go.mod" ||
    { echo "scripts/tools/jaeger/go.mod does not pin jaeger $JAEGER_VERSION" >&2; exit 1; }
  if [[ -x "$TOOLS_BIN/jaeger" && -f "$stamp" && "$(cat "$stamp")" == "$JAEGER_VERSION" ]]; then
    return 0
  fi
  command -v go >/dev/null || { echo "go is required to build jaeger" >&2; exit 1; }
  log "building jaeger $JAEGER_VERSION (scripts/tools/jaeger; a few minutes)"
  mkdir -p "$TOOLS_BIN"
  (cd "$module" && go build -o "$TOOLS_BIN/jaeger" github.com/jaegertracing/jaeger/cmd/jaeger)
  echo "$JAEGER_VERSION" >"$stamp"
}

# redis-server for the tests that need a real Redis (they start their own on a free port).
ensure_redis() {
  command -v redis-server >/dev/null && return 0
  log "installing redis-server (apt-get)"
  local sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq redis-server >/dev/null
}

ensure_node_modules() {
  if [[ ! -d "$ROOT/node_modules" || "$ROOT/package-lock.json" -nt "$ROOT/node_modules/.package-lock.json" ]]; then
    # `npm install` from the lockfile, not `npm ci`: npm 11 writes lockfiles without other
    # platforms' optional packages and then `npm ci` refuses them (npm/cli#8805, #9846).
    log "installing npm packages (npm install from package-lock.json)"
    (cd "$ROOT" && npm install --no-save --no-fund --no-audit --loglevel=error)
  fi
}

#!/usr/bin/env bash
# Cached vs uncached read throughput of one sidecar, driven by ghz on loopback.
# Usage: bash bench/cache.sh [seconds-per-run] [concurrency]
# Both ghz and the sidecar share this machine's cores: read the numbers as ratios, not capacity.
source "$(dirname "$0")/../scripts/lib.sh"
bash "$ROOT/scripts/setup" >/dev/null
ensure_ghz
cd "$ROOT"
node scripts/lab-identity.mjs
DURATION="${1:-10}s"
CONCURRENCY="${2:-32}"
WORK="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$WORK"' EXIT

TOKEN=$(node scripts/lab-identity.mjs token viewer acme)
request() { # $1: path
  printf '{"attributes":{"source":{"address":{"socketAddress":{"address":"10.0.0.7","portValue":41000}}},"request":{"http":{"method":"GET","path":"%s","host":"openclaw","headers":{"authorization":"Bearer %s","user-agent":"bench","accept":"application/json","x-request-id":"{{.UUID}}"}}}}}' "$1" "$TOKEN"
}

run() { # $1: label, $2: cache enabled, $3: path template
  sed "s/^  console: true/  console: false/" config/demo.yaml >"$WORK/config.yaml"
  printf 'cache:\n  enabled: %s\n' "$2" >>"$WORK/config.yaml"
  sed -i 's/9191/9391/; s/9292/9392/' "$WORK/config.yaml"
  node dist/main.js serve --config "$WORK/config.yaml" 2>"$WORK/serve.log" &
  local pid=$!
  for _ in $(seq 50); do grep -q '"serving"' "$WORK/serve.log" && break; sleep 0.1; done
  ghz --insecure --proto proto/envoy/service/auth/v3/external_auth.proto --import-paths proto \
    --call envoy.service.auth.v3.Authorization/Check -z "$DURATION" -c "$CONCURRENCY" \
    -d "$(request "$3")" --format json 127.0.0.1:9391 >"$WORK/$1.json"
  kill -TERM "$pid"; wait "$pid" || true
  node -e 'const r = require(process.argv[1]); const d = r.statusCodeDistribution || {};
    const p = (q) => ((r.latencyDistribution || []).find((x) => x.percentage === q)?.latency ?? 0) / 1e6;
    console.log(`${process.argv[2].padEnd(22)} ${r.rps.toFixed(0).padStart(7)} req/s  p50 ${p(50).toFixed(2)} ms  p99 ${p(99).toFixed(2)} ms  ${JSON.stringify(d)}`)' \
    "$WORK/$1.json" "$1"
}

echo "ghz ${DURATION} per run, ${CONCURRENCY} concurrent, JWT (ES256) GET through the shipped policy"
run cached true "/api/v1/tenants/acme/tickets/7"
run "uncached (miss path)" true "/api/v1/tenants/acme/tickets/{{.RequestNumber}}"
run "cache disabled" false "/api/v1/tenants/acme/tickets/7"

# syntax=docker/dockerfile:1
# openclaw-authz image: the policy compiled by the pinned opa, the TypeScript built with the same
# script the README uses (scripts/setup), and a minimal (Alpine), non-root Node.js runtime holding only
# production dependencies. Nothing secret is baked in: config, SVIDs and tokens are mounted.
ARG GO_IMAGE=golang:1.26.8-bookworm
ARG NODE_IMAGE=node:20.20.2-bookworm-slim
ARG RUNTIME_IMAGE=node:20.20.2-alpine3.22

# The pinned opa, installed by scripts/lib.sh's ensure_opa (OPA_VERSION there is the one pin):
# .tools/bin/opa and the stamp scripts/setup checks.
FROM ${GO_IMAGE} AS opa
WORKDIR /src
COPY scripts/lib.sh ./scripts/
RUN bash -c 'source scripts/lib.sh && ensure_opa'

# OPA's Rego parser as a WASI reactor for rego.parse_module (the same script scripts/setup runs).
FROM ${GO_IMAGE} AS rego-parser
WORKDIR /src
COPY scripts/lib.sh scripts/build-rego-parser ./scripts/
COPY scripts/rego-parser ./scripts/rego-parser
RUN bash scripts/build-rego-parser

FROM ${NODE_IMAGE} AS build
WORKDIR /src
# scripts/setup finds the parser already built (no go in this stage) and keeps it.
COPY --from=rego-parser /src/build/rego-parser ./build/rego-parser
# scripts/setup finds the pinned opa already in .tools/bin (the stamp matches) and skips go.
COPY --from=opa /src/.tools/bin/ .tools/bin/
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY proto ./proto
COPY policies ./policies
COPY src ./src
# The commit openclaw_authz_build_info reports: docker build --build-arg COMMIT=$(git rev-parse HEAD)
ARG COMMIT=unknown
RUN printf '%s\n' "$COMMIT" >COMMIT
RUN bash scripts/setup && npm prune --omit=dev --no-fund --no-audit
# The demo config's lab identity (scripts/lab-identity.mjs, which runs scripts/pki: openssl). Only
# the public halves reach the runtime image: the CA bundle and the JWKS; the keys stay here.
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends openssl >/dev/null \
  && node scripts/lab-identity.mjs

FROM ${RUNTIME_IMAGE}
ARG VERSION=0.1.0
ARG REVISION=""
ARG CREATED=""
ARG RUNTIME_IMAGE
# OCI annotations (image-spec annotations.md). REVISION and CREATED come from the build:
# --build-arg REVISION=$(git rev-parse HEAD) --build-arg CREATED=$(date -u +%Y-%m-%dT%H:%M:%SZ).
LABEL org.opencontainers.image.title="openclaw-authz" \
  org.opencontainers.image.description="Envoy ext_authz v3 sidecar for OpenClaw: OPA WebAssembly policies, verified identity, fail-closed." \
  org.opencontainers.image.version="${VERSION}" \
  org.opencontainers.image.revision="${REVISION}" \
  org.opencontainers.image.created="${CREATED}" \
  org.opencontainers.image.licenses="Apache-2.0" \
  org.opencontainers.image.base.name="${RUNTIME_IMAGE}"
# Pure-JavaScript production dependencies only, so the glibc build stage and musl runtime agree.
WORKDIR /app
COPY LICENSE ./LICENSE
COPY --from=build /src/package.json /src/COMMIT ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY --from=build /src/proto ./proto
COPY --from=build /src/build/proto ./build/proto
COPY --from=build /src/build/policy ./build/policy
COPY --from=build /src/build/rego-parser/rego-parser.wasm ./build/rego-parser/rego-parser.wasm
COPY --from=build /src/build/lab/bundle.pem /src/build/lab/jwks.json ./build/lab/
COPY config/demo.yaml ./config/demo.yaml
ENV NODE_ENV=production
# Bounded memory for a sidecar: 8 MiB semi-spaces and a 128 MiB old space (about half the chart's
# 256 MiB limit; the chart sets NODE_OPTIONS from authz.heapMiB). bench/run.mjs runs with these.
ENV NODE_OPTIONS="--max-semi-space-size=8 --max-old-space-size=128"
USER 1000:1000
EXPOSE 9191 9190 9292
HEALTHCHECK --interval=10s --timeout=2s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:9292/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# A bare `docker run` serves the shipped policies with the demo config (loopback listeners, lab
# trust). Deployments pass their own: `serve --config FILE` (the chart does), or set this variable.
ENV OPENCLAW_AUTHZ_CONFIG=/app/config/demo.yaml
# V8's regex tier-up off (a V8 flag: NODE_OPTIONS refuses it): every regex is compiled to machine
# code on its first run, not first to bytecode and again to machine code on its second, which
# made each evaluation thread's warm-up of the prompt guard ~280 ms instead of ~100 ms. Set on
# the command line, before V8 starts; scripts/start, the package's bin and the tests and benches
# (which read it from here) start the sidecar the same way.
ENTRYPOINT ["node", "--no-regexp-tier-up", "dist/main.js"]
CMD ["serve"]

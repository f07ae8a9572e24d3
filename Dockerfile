# syntax=docker/dockerfile:1
# slimguard's own image, built the way slimguard asks every image to be built: a full build base
# (node:24, with npm and a compiler toolchain) only in the build stage, and a distroless runtime
# base with a numeric non-root user in the image that ships. It passes slimguard's default policy
# (test/image/dockerfile-policy.test.ts judges a config made from this file).
#
#   docker build -t ghcr.io/slimguard/slimguard:0.1.0 --build-arg VERSION=0.1.0 .

ARG BUILD_BASE=node:24
ARG RUNTIME_BASE=gcr.io/distroless/nodejs24-debian12:nonroot

FROM ${BUILD_BASE} AS build
WORKDIR /src
# Dependencies first: this layer stays cached until the lockfile changes.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/link-bin.mjs scripts/
COPY src/ src/
RUN npm run build \
  # Only the runtime dependencies go on: the node@24 dev dependency, TypeScript and vitest stay here.
  && npm prune --omit=dev --no-audit --no-fund \
  && rm -rf node_modules/.bin/slimguard

FROM ${RUNTIME_BASE}
ARG RUNTIME_BASE
ARG VERSION=0.1.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="slimguard" \
      org.opencontainers.image.description="Kubernetes validating admission webhook that keeps images slim: no root, within a size budget, never built on a full build base." \
      org.opencontainers.image.source="https://github.com/slimguard/slimguard" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.base.name="${RUNTIME_BASE}"
WORKDIR /app
# package.json: the CLI reads its version from it (src/cli/version.ts).
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
# Numeric, so the kubelet can enforce runAsNonRoot without reading /etc/passwd (distroless "nonroot").
USER 65532:65532
EXPOSE 8443 8080
# The Deployment's args are exactly the `slimguard serve` flags. A fixed 16 MiB young generation
# (docs/container-image.md): V8 otherwise grows and shrinks it with the load, and RSS follows.
# On the command line, since NODE_OPTIONS does not allow --min-semi-space-size.
ENTRYPOINT ["/nodejs/bin/node", "--max-semi-space-size=16", "--min-semi-space-size=16", "/app/dist/cli/main.js"]
CMD ["serve"]

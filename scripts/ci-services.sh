#!/usr/bin/env bash
# CI services, as root on Debian 12 without systemd: installs Docker (Debian's docker.io), the image
# registry (docker-registry, with htpasswd from apache2-utils), debootstrap, the static busybox and
# Chromium (browser tests) from the apt archive; starts dockerd without networking of its own (no bridge,
# no iptables: containers use --network none|host) and the registry on 127.0.0.1:5000 with htpasswd
# authentication (docker/registry.sh, which logs the docker CLI in); builds the local test image
# formalize/busybox:local from busybox-static and the components' base image node:24-bookworm-slim
# (docker/base-image.sh), since no image registry on the internet is reachable.
# Idempotent: every step is skipped when already done. Prints how long each step took.
set -euo pipefail

IMAGE=formalize/busybox:local
PACKAGES=(docker.io docker-registry apache2-utils debootstrap busybox-static chromium)
DAEMON_JSON='{"bridge":"none","iptables":false}'
DOCKERD_LOG=/var/log/dockerd.log
DOCKERD_PID=/var/run/docker.pid
DOCKERD_WAIT_S=60

log() { printf '[ci-services] %s\n' "$*" >&2; }
now() { printf '%s' "${EPOCHREALTIME/[.,]/}"; }
# step <name> <command...>: runs a step and prints its duration.
step() {
  local name=$1 t0 ; shift
  t0=$(now)
  "$@"
  log "$name: $(( ($(now) - t0) / 1000 )) ms"
}

[ "$(id -u)" -eq 0 ] || { log "must run as root (installs packages, starts dockerd)"; exit 1; }
export DEBIAN_FRONTEND=noninteractive

install_packages() {
  local missing=() p
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then log "packages present: ${PACKAGES[*]}"; return; fi
  log "installing ${missing[*]}"
  apt-get update -qq
  # No recommends: they pull apparmor, git and needrestart (which can prompt), none needed here.
  apt-get install -y -qq --no-install-recommends -o Dpkg::Use-Pty=0 "${missing[@]}" >/dev/null
}

dockerd_alive() { [ -s "$DOCKERD_PID" ] && kill -0 "$(cat "$DOCKERD_PID")" 2>/dev/null; }

start_dockerd() {
  mkdir -p /etc/docker
  if [ "$(cat /etc/docker/daemon.json 2>/dev/null)" != "$DAEMON_JSON" ]; then
    printf '%s\n' "$DAEMON_JSON" > /etc/docker/daemon.json
    if dockerd_alive; then log "daemon.json changed: restart dockerd to apply it"; fi
  fi
  if docker info >/dev/null 2>&1; then log "dockerd already running"; return; fi
  if ! dockerd_alive; then
    # Own session so it outlives this script and the CI step that ran it.
    setsid dockerd > "$DOCKERD_LOG" 2>&1 < /dev/null &
  fi
  local deadline=$(( SECONDS + DOCKERD_WAIT_S ))
  until docker info >/dev/null 2>&1; do
    if [ $SECONDS -ge $deadline ]; then
      log "dockerd did not answer within ${DOCKERD_WAIT_S}s; last lines of $DOCKERD_LOG:"
      tail -n 20 "$DOCKERD_LOG" >&2 || true
      exit 1
    fi
    sleep 0.2
  done
}

build_image() {
  if docker image inspect "$IMAGE" >/dev/null 2>&1; then log "$IMAGE present"; return; fi
  local tmp
  tmp=$(mktemp -d)
  local rootfs=$tmp/rootfs
  mkdir -p "$rootfs"/{bin,etc,root,proc,sys,dev}
  install -d -m 1777 "$rootfs/tmp"
  cp /bin/busybox "$rootfs/bin/busybox"
  # A relative symlink per applet (sh, echo, cat, sleep, mkdir, env, id, wget, ip, ...): what
  # `busybox --install -s` does, but that links to the host path, /usr/bin/busybox on merged-/usr.
  local applet
  for applet in $(/bin/busybox --list); do
    [ "$applet" = busybox ] || ln -s busybox "$rootfs/bin/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > "$rootfs/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' > "$rootfs/etc/group"
  tar -C "$rootfs" --numeric-owner --owner=0 --group=0 -cf "$tmp/rootfs.tar" .
  docker import --change 'CMD ["/bin/sh"]' --change 'ENV PATH=/bin' "$tmp/rootfs.tar" "$IMAGE" >/dev/null
  rm -rf "$tmp"
  log "built $IMAGE from busybox-static ($(/bin/busybox | head -n 1 | cut -d' ' -f1-2))"
}

t_all=$(now)
step "apt packages" install_packages
step "dockerd" start_dockerd
step "registry" "$(dirname "$0")/../docker/registry.sh" start
step "image $IMAGE" build_image
step "base image" "$(dirname "$0")/../docker/base-image.sh"
log "ready in $(( ($(now) - t_all) / 1000 )) ms (docker: $(docker version --format '{{.Server.Version}}'))"

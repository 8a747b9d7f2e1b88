#!/usr/bin/env bash
# The local image registry: Debian's docker-registry (the CNCF distribution registry) on 127.0.0.1:5000 only,
# with htpasswd authentication. `start` generates the password once (kept 0600 in the state folder, never
# printed or passed on a command line), writes the htpasswd file and the config, starts the registry in its
# own session and logs the docker CLI in (`docker login localhost:5000`, password on stdin).
#
# Usage (root):  docker/registry.sh start | stop | status
#   FORMALIZE_REGISTRY_DIR  state folder (default /var/lib/formalize/registry): config.yml, htpasswd,
#                           password, data/ (the stored images), registry.log, registry.pid
# Idempotent: a registry of this folder that already answers is kept (the login is refreshed).
set -euo pipefail

DIR=${FORMALIZE_REGISTRY_DIR:-/var/lib/formalize/registry}
ADDR=127.0.0.1
PORT=5000
NAME=localhost:$PORT     # how images name it (the components' default registry)
USERNAME=formalize
WAIT_S=30
log() { printf '[registry] %s\n' "$*" >&2; }

# HTTP status of GET /v2/ (401: up, with authentication), or 000 when nothing answers.
v2_status() {
  local line
  { exec 3<>"/dev/tcp/$ADDR/$PORT"; } 2>/dev/null || { echo 000; return; }
  printf 'GET /v2/ HTTP/1.0\r\nHost: %s\r\n\r\n' "$NAME" >&3
  read -r -t 5 line <&3 || line=''
  exec 3<&- 3>&-
  line=${line#HTTP/* }
  echo "${line:0:3}"
}

ours_alive() { [ -s "$DIR/registry.pid" ] && kill -0 "$(cat "$DIR/registry.pid")" 2>/dev/null; }

write_config() {
  umask 077
  mkdir -p "$DIR/data"
  if [ ! -s "$DIR/password" ]; then
    head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 32 > "$DIR/password"
    rm -f "$DIR/htpasswd"
  fi
  # bcrypt (the only scheme the registry accepts); -i reads the password from stdin.
  [ -s "$DIR/htpasswd" ] || htpasswd -B -i -c "$DIR/htpasswd" "$USERNAME" < "$DIR/password" 2>/dev/null
  [ -s "$DIR/http-secret" ] || head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' > "$DIR/http-secret"
  cat > "$DIR/config.yml" <<EOF
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $DIR/data
  delete:
    enabled: true
http:
  addr: $ADDR:$PORT
  secret: $(cat "$DIR/http-secret")
auth:
  htpasswd:
    realm: formalize
    path: $DIR/htpasswd
EOF
}

login() {
  local err
  err=$(docker login --username "$USERNAME" --password-stdin "$NAME" < "$DIR/password" 2>&1 >/dev/null) || {
    log "docker login $NAME failed: $(printf '%s' "$err" | tail -n 1)"; return 1; }
  log "docker CLI logged in to $NAME as $USERNAME"
}

start() {
  command -v docker-registry >/dev/null || { log "docker-registry is missing: apt-get install docker-registry"; exit 1; }
  command -v htpasswd >/dev/null || { log "htpasswd is missing: apt-get install apache2-utils"; exit 1; }
  local status
  status=$(v2_status)
  if [ "$status" != 000 ] && ! ours_alive; then
    log "$ADDR:$PORT is taken by another server (GET /v2/ answered $status); stop it or free the port"; exit 1
  fi
  write_config
  if [ "$status" = 401 ]; then
    log "running (pid $(cat "$DIR/registry.pid"))"
  else
    setsid docker-registry serve "$DIR/config.yml" > "$DIR/registry.log" 2>&1 < /dev/null &
    echo $! > "$DIR/registry.pid"
    local deadline=$(( SECONDS + WAIT_S ))
    until [ "$(v2_status)" = 401 ]; do
      if [ $SECONDS -ge $deadline ] || ! ours_alive; then
        log "the registry did not answer on $ADDR:$PORT within ${WAIT_S}s; last lines of $DIR/registry.log:"
        tail -n 20 "$DIR/registry.log" >&2 || true
        exit 1
      fi
      sleep 0.2
    done
    log "started on $ADDR:$PORT (pid $(cat "$DIR/registry.pid")), storage $DIR/data"
  fi
  login
}

stop() {
  if ours_alive; then kill "$(cat "$DIR/registry.pid")"; log "stopped"; else log "not running"; fi
  rm -f "$DIR/registry.pid"
}

case "${1:-}" in
  start) [ "$(id -u)" -eq 0 ] || { log "must run as root"; exit 1; }; start ;;
  stop) stop ;;
  status) s=$(v2_status); if [ "$s" = 401 ]; then log "up on $ADDR:$PORT"; else log "down (GET /v2/: $s)"; exit 1; fi ;;
  *) echo "usage: docker/registry.sh start | stop | status" >&2; exit 2 ;;
esac

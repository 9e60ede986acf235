#!/usr/bin/env bash
# Starts a Docker engine for the tests when none answers: Debian's docker.io dockerd on the default
# socket, with the flags this sandbox needs (vfs storage, no iptables, no bridge). Idempotent.
set -euo pipefail

STATE_DIR="${JOELCLAW_DOCKER_STATE:-/var/lib/joelclaw-docker}"
LOG="${STATE_DIR}/dockerd.log"
PIDFILE="/run/joelclaw-dockerd.pid"

if docker version --format '{{.Server.Version}}' >/dev/null 2>&1; then
  echo "docker-up: an engine already answers ($(docker version --format '{{.Server.Version}}'))" >&2
  exit 0
fi
if ! command -v dockerd >/dev/null 2>&1; then
  echo "docker-up: dockerd is not installed. Install it: apt-get install -y docker.io (as root)" >&2
  exit 1
fi
if [ "$(id -u)" != 0 ]; then
  echo "docker-up: starting dockerd needs root; run as root or start your own engine" >&2
  exit 1
fi

mkdir -p "$STATE_DIR"
nohup dockerd \
  --storage-driver=vfs --iptables=false --ip6tables=false --bridge=none \
  --data-root="$STATE_DIR/data" --exec-root=/run/joelclaw-docker \
  --pidfile="$PIDFILE" --host=unix:///var/run/docker.sock \
  >"$LOG" 2>&1 </dev/null &

for _ in $(seq 1 60); do
  if docker version --format '{{.Server.Version}}' >/dev/null 2>&1; then
    echo "docker-up: dockerd $(docker version --format '{{.Server.Version}}') is up (log: $LOG)" >&2
    exit 0
  fi
  sleep 0.5
done
echo "docker-up: dockerd did not answer within 30 s; the end of its log ($LOG):" >&2
tail -n 20 "$LOG" >&2
exit 1

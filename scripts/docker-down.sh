#!/usr/bin/env bash
# Stops the dockerd that docker-up.sh started (and only that one).
set -euo pipefail
PIDFILE="/run/joelclaw-dockerd.pid"
if [ ! -f "$PIDFILE" ]; then
  echo "docker-down: no dockerd started by docker-up is running" >&2
  exit 0
fi
pid=$(cat "$PIDFILE")
kill "$pid" 2>/dev/null || true
for _ in $(seq 1 40); do
  kill -0 "$pid" 2>/dev/null || { echo "docker-down: dockerd stopped" >&2; exit 0; }
  sleep 0.5
done
kill -9 "$pid" 2>/dev/null || true
echo "docker-down: dockerd killed after 20 s" >&2

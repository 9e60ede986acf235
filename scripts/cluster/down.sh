#!/usr/bin/env bash
# Stops every component cluster:up started and removes the cluster's state; leaves nothing running.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=env.sh
source "${here}/env.sh"
if [[ ! -d ${CLUSTER_DIR} ]]; then
  log "no cluster in ${CLUSTER_DIR}"
  exit 0
fi
# Helpers started beside the cluster (e.g. the sandbox's endpoints) first, then the components in reverse.
for pidfile in "${PIDS}"/*.pid; do
  name=$(basename "${pidfile}" .pid)
  [[ -e ${pidfile} && " ${COMPONENTS[*]} " != *" ${name} "* ]] && stop_component "${name}"
done
for ((i = ${#COMPONENTS[@]} - 1; i >= 0; i--)); do stop_component "${COMPONENTS[i]}"; done
rm -rf "${CLUSTER_DIR}"
log "stopped; removed ${CLUSTER_DIR}"

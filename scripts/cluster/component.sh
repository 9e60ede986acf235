#!/usr/bin/env bash
# Stops, starts or restarts one component of the running local cluster, as cluster:up started it.
# usage: component.sh stop|start|restart <etcd|kube-apiserver|kube-controller-manager|kube-scheduler|kwok>
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=env.sh
source "${here}/env.sh"
action=${1:-}
name=${2:-}
[[ " ${COMPONENTS[*]} " == *" ${name} "* ]] || die "unknown component '${name}'; one of: ${COMPONENTS[*]}"
[[ -d ${CLUSTER_DIR} ]] || die "no cluster in ${CLUSTER_DIR}: run npm run cluster:up"
BIN=$(bash "${here}/../k8s/build.sh" | tail -n 1)
case ${action} in
  stop) stop_component "${name}" ;;
  start) start_component "${name}" ;;
  restart) stop_component "${name}"; start_component "${name}" ;;
  *) die "unknown action '${action}'; one of: stop, start, restart" ;;
esac
if [[ ${action} != stop && ${name} == kube-apiserver ]]; then wait_for "kube-apiserver" 240 api_ready; fi
log "${action} ${name}: done"

# Shared settings of the local cluster scripts (sourced). Every value can be overridden from the environment.
CLUSTER_DIR=${JOELCLAW_CLUSTER_DIR:-${TMPDIR:-/tmp}/joelclaw-k8s-cluster}
API_PORT=${JOELCLAW_APISERVER_PORT:-16443}
ETCD_PORT=${JOELCLAW_ETCD_PORT:-12379}
ETCD_PEER_PORT=${JOELCLAW_ETCD_PEER_PORT:-12380}
KWOK_PORT=${JOELCLAW_KWOK_PORT:-10250}
CM_PORT=${JOELCLAW_CONTROLLER_MANAGER_PORT:-10257}
SCHED_PORT=${JOELCLAW_SCHEDULER_PORT:-10259}
NODES=${JOELCLAW_CLUSTER_NODES:-1}
KUBECONFIG_FILE=${CLUSTER_DIR}/kubeconfig
PKI=${CLUSTER_DIR}/pki
PIDS=${CLUSTER_DIR}/pids
LOGS=${CLUSTER_DIR}/logs
CMDS=${CLUSTER_DIR}/cmd
# Components in start order; stopped in reverse.
COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok)

log() { printf '[cluster] %s\n' "$*" >&2; }
die() { printf '[cluster] ERROR: %s\n' "$*" >&2; exit 1; }

component_pid() {
  local pidfile=${PIDS}/$1.pid
  [[ -f ${pidfile} ]] || return 1
  local pid
  pid=$(cat "${pidfile}")
  kill -0 "${pid}" 2>/dev/null || return 1
  echo "${pid}"
}

# Starts a component from its saved command line (cmd/<name>), detached, logging to logs/<name>.log.
start_component() {
  local name=$1
  [[ -f ${CMDS}/${name} ]] || die "no saved command for ${name}: run cluster:up first"
  if component_pid "${name}" >/dev/null; then return 0; fi
  setsid bash -c "exec $(cat "${CMDS}/${name}")" >>"${LOGS}/${name}.log" 2>&1 </dev/null &
  echo $! >"${PIDS}/${name}.pid"
}

stop_component() {
  local name=$1 pid
  pid=$(component_pid "${name}") || { rm -f "${PIDS}/${name}.pid"; return 0; }
  kill "${pid}" 2>/dev/null || true
  for _ in $(seq 1 50); do
    kill -0 "${pid}" 2>/dev/null || break
    sleep 0.1
  done
  kill -9 "${pid}" 2>/dev/null || true
  rm -f "${PIDS}/${name}.pid"
}

api_ready() {
  "${BIN}/kubectl" --kubeconfig "${KUBECONFIG_FILE}" get --raw /readyz >/dev/null 2>&1
}

wait_for() {
  local what=$1 tries=$2
  shift 2
  for _ in $(seq 1 "${tries}"); do
    if "$@"; then return 0; fi
    sleep 0.25
  done
  die "${what} did not come up; see ${LOGS}/"
}

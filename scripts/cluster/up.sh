#!/usr/bin/env bash
# Starts a real Kubernetes control plane on loopback (etcd, kube-apiserver, kube-controller-manager,
# kube-scheduler) with KWOK playing the kubelet, shaped like the joelclaw cluster. Idempotent: when the
# cluster is already up it is reused. The last line of stdout is the kubeconfig path.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=env.sh
source "${here}/env.sh"

BIN=$(bash "${here}/../k8s/build.sh" | tail -n 1)
[[ -x ${BIN}/kube-apiserver ]] || die "the Kubernetes binaries are missing in ${BIN}"

all_running() {
  local c
  for c in "${COMPONENTS[@]}"; do component_pid "${c}" >/dev/null || return 1; done
}

if [[ -f ${KUBECONFIG_FILE} ]] && all_running && api_ready; then
  log "already up (${CLUSTER_DIR})"
  echo "${KUBECONFIG_FILE}"
  exit 0
fi
if [[ -d ${CLUSTER_DIR} ]]; then
  log "a partial cluster is in ${CLUSTER_DIR}: stopping it first"
  bash "${here}/down.sh" >/dev/null
fi

started=$(date +%s%N)
mkdir -p "${PKI}" "${PIDS}" "${LOGS}" "${CMDS}" "${CLUSTER_DIR}/etcd"

# ---- PKI: one CA, the API server's serving cert, an admin client cert (system:masters), KWOK's serving cert
cert() { # name subject sans(ext, may be empty) ca-signed
  local name=$1 subject=$2 san=$3
  openssl genrsa -out "${PKI}/${name}.key" 2048 2>/dev/null
  openssl req -new -key "${PKI}/${name}.key" -subj "${subject}" -out "${PKI}/${name}.csr" 2>/dev/null
  local ext=${PKI}/${name}.ext
  {
    echo "basicConstraints=CA:FALSE"
    echo "keyUsage=digitalSignature,keyEncipherment"
    if [[ -n ${san} ]]; then echo "extendedKeyUsage=serverAuth,clientAuth"; echo "subjectAltName=${san}"; else echo "extendedKeyUsage=clientAuth"; fi
  } >"${ext}"
  openssl x509 -req -in "${PKI}/${name}.csr" -CA "${PKI}/ca.crt" -CAkey "${PKI}/ca.key" -CAcreateserial \
    -days 365 -extfile "${ext}" -out "${PKI}/${name}.crt" 2>/dev/null
}
openssl req -x509 -newkey rsa:2048 -nodes -keyout "${PKI}/ca.key" -out "${PKI}/ca.crt" -days 365 \
  -subj "/CN=joelclaw-sandbox-ca" 2>/dev/null
cert apiserver "/CN=kube-apiserver" "IP:127.0.0.1,IP:10.96.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
cert admin "/O=system:masters/CN=joelclaw-admin" ""
cert kwok "/CN=kwok" "IP:127.0.0.1,DNS:localhost"
openssl genrsa -out "${PKI}/sa.key" 2048 2>/dev/null
openssl rsa -in "${PKI}/sa.key" -pubout -out "${PKI}/sa.pub" 2>/dev/null

"${BIN}/kubectl" config --kubeconfig="${KUBECONFIG_FILE}" set-cluster joelclaw-sandbox \
  --server="https://127.0.0.1:${API_PORT}" --certificate-authority="${PKI}/ca.crt" --embed-certs >/dev/null
"${BIN}/kubectl" config --kubeconfig="${KUBECONFIG_FILE}" set-credentials admin@joelclaw-sandbox \
  --client-certificate="${PKI}/admin.crt" --client-key="${PKI}/admin.key" --embed-certs >/dev/null
"${BIN}/kubectl" config --kubeconfig="${KUBECONFIG_FILE}" set-context admin@joelclaw-sandbox \
  --cluster=joelclaw-sandbox --user=admin@joelclaw-sandbox --namespace=default >/dev/null
"${BIN}/kubectl" config --kubeconfig="${KUBECONFIG_FILE}" use-context admin@joelclaw-sandbox >/dev/null
chmod 600 "${KUBECONFIG_FILE}"

# ---- command lines, saved so that fault tools can stop and restart a component as it was
cat >"${CMDS}/etcd" <<CMD
'${BIN}/etcd' --name=sandbox --data-dir='${CLUSTER_DIR}/etcd' \
  --listen-client-urls=http://127.0.0.1:${ETCD_PORT} --advertise-client-urls=http://127.0.0.1:${ETCD_PORT} \
  --listen-peer-urls=http://127.0.0.1:${ETCD_PEER_PORT} --initial-advertise-peer-urls=http://127.0.0.1:${ETCD_PEER_PORT} \
  --initial-cluster=sandbox=http://127.0.0.1:${ETCD_PEER_PORT} --listen-metrics-urls='' \
  --unsafe-no-fsync --log-level=warn
CMD
cat >"${CMDS}/kube-apiserver" <<CMD
'${BIN}/kube-apiserver' --etcd-servers=http://127.0.0.1:${ETCD_PORT} \
  --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port=${API_PORT} \
  --tls-cert-file='${PKI}/apiserver.crt' --tls-private-key-file='${PKI}/apiserver.key' --client-ca-file='${PKI}/ca.crt' \
  --service-account-issuer=https://kubernetes.default.svc.cluster.local \
  --service-account-key-file='${PKI}/sa.pub' --service-account-signing-key-file='${PKI}/sa.key' \
  --service-cluster-ip-range=10.96.0.0/16 --service-node-port-range=80-32767 \
  --authorization-mode=RBAC --allow-privileged=true \
  --kubelet-client-certificate='${PKI}/admin.crt' --kubelet-client-key='${PKI}/admin.key' \
  --kubelet-preferred-address-types=InternalIP \
  --enable-priority-and-fairness=false --v=0
CMD
cat >"${CMDS}/kube-controller-manager" <<CMD
'${BIN}/kube-controller-manager' --kubeconfig='${KUBECONFIG_FILE}' \
  --authentication-kubeconfig='${KUBECONFIG_FILE}' --authorization-kubeconfig='${KUBECONFIG_FILE}' \
  --bind-address=127.0.0.1 --secure-port=${CM_PORT} --leader-elect=false \
  --service-account-private-key-file='${PKI}/sa.key' --root-ca-file='${PKI}/ca.crt' \
  --cluster-signing-cert-file='${PKI}/ca.crt' --cluster-signing-key-file='${PKI}/ca.key' \
  --use-service-account-credentials=false --v=0
CMD
cat >"${CMDS}/kube-scheduler" <<CMD
'${BIN}/kube-scheduler' --kubeconfig='${KUBECONFIG_FILE}' \
  --authentication-kubeconfig='${KUBECONFIG_FILE}' --authorization-kubeconfig='${KUBECONFIG_FILE}' \
  --bind-address=127.0.0.1 --secure-port=${SCHED_PORT} --leader-elect=false --v=0
CMD
sed "s#@SIM_BIN@#${here}/sim-bin#g; s#@LOG_FILE@#${here}/sim-container-log.cri#g" "${here}/kwok.yaml" >"${CLUSTER_DIR}/kwok.yaml"
cat >"${CMDS}/kwok" <<CMD
env PATH='${here}/sim-bin' '${BIN}/kwok' --kubeconfig='${KUBECONFIG_FILE}' --config='${CLUSTER_DIR}/kwok.yaml' \
  --manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake \
  --node-ip=127.0.0.1 --node-port=${KWOK_PORT} --server-address=127.0.0.1:${KWOK_PORT} \
  --tls-cert-file='${PKI}/kwok.crt' --tls-private-key-file='${PKI}/kwok.key' \
  --cidr=10.244.0.0/16 --node-lease-duration-seconds=40
CMD

# ---- start, in order, each waited for
start_component etcd
wait_for "etcd" 120 curl -sf -o /dev/null "http://127.0.0.1:${ETCD_PORT}/health"
start_component kube-apiserver
wait_for "kube-apiserver" 240 api_ready
start_component kube-controller-manager
start_component kube-scheduler

# ---- the nodes as Talos registers them, and the cluster's own DaemonSets
node_manifest() { # name role
  cat <<YAML
apiVersion: v1
kind: Node
metadata:
  name: $1
  annotations:
    kwok.x-k8s.io/node: fake
    node.alpha.kubernetes.io/ttl: "0"
  labels:
    kubernetes.io/hostname: $1
    kubernetes.io/os: linux
    kubernetes.io/arch: amd64
YAML
  if [[ $2 == control-plane ]]; then
    echo '    node-role.kubernetes.io/control-plane: ""'
  fi
  if [[ ${JOELCLAW_CLUSTER_TAINT:-0} == 1 && $2 == control-plane ]]; then
    cat <<YAML
spec:
  taints:
  - key: node-role.kubernetes.io/control-plane
    effect: NoSchedule
YAML
  fi
  echo "---"
}
{
  node_manifest joelclaw-controlplane-1 control-plane
  for i in $(seq 2 "${NODES}"); do node_manifest "joelclaw-worker-$((i - 1))" worker; done
  cat "${here}/bootstrap.yaml"
} | "${BIN}/kubectl" --kubeconfig "${KUBECONFIG_FILE}" apply -f - >/dev/null

start_component kwok
node_ready() {
  [[ $("${BIN}/kubectl" --kubeconfig "${KUBECONFIG_FILE}" get node joelclaw-controlplane-1 \
    -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null) == True ]]
}
wait_for "the node joelclaw-controlplane-1 (kwok)" 240 node_ready
sa_ready() { "${BIN}/kubectl" --kubeconfig "${KUBECONFIG_FILE}" -n default get serviceaccount default >/dev/null 2>&1; }
wait_for "the default service account" 240 sa_ready

log "up in $(( ($(date +%s%N) - started) / 1000000 )) ms: API https://127.0.0.1:${API_PORT}, ${NODES} node(s), state in ${CLUSTER_DIR}"
echo "${KUBECONFIG_FILE}"

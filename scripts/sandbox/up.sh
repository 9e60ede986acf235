#!/usr/bin/env bash
# The joelclaw cluster in miniature: the local control plane, the joelclaw namespace's workloads
# (scripts/sandbox/manifests, from the cluster's own manifests) and stand-ins for the host's health
# endpoints. Idempotent. The last line of stdout is the kubeconfig path.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cluster=${here}/../cluster
# shellcheck source=../cluster/env.sh
source "${cluster}/env.sh"
CONTROL_PORT=${SANDBOX_CONTROL_PORT:-18999}

kubeconfig=$(bash "${cluster}/up.sh" | tail -n 1)
BIN=$(bash "${here}/../k8s/build.sh" | tail -n 1)
kubectl() { "${BIN}/kubectl" --kubeconfig "${kubeconfig}" "$@"; }

kubectl apply -f "${here}/manifests/00-namespace.yaml" >/dev/null
kubectl apply -f "${here}/manifests" >/dev/null

if ! component_pid sandbox-endpoints >/dev/null; then
  printf '%q ' node "${here}/endpoints.mjs" >"${CMDS}/sandbox-endpoints"
  start_component sandbox-endpoints
fi
endpoints_up() { curl -sf -o /dev/null "http://127.0.0.1:${CONTROL_PORT}/endpoints"; }
for _ in $(seq 1 40); do endpoints_up && break; sleep 0.25; done
endpoints_up || { tail -n 5 "${LOGS}/sandbox-endpoints.log" >&2; die "the sandbox endpoints did not start"; }

for w in statefulset/redis statefulset/typesense statefulset/inngest deployment/system-bus-worker deployment/livekit-server deployment/bluesky-pds; do
  kubectl -n joelclaw rollout status "${w}" --timeout=120s >/dev/null || die "${w} did not roll out"
done

cat >&2 <<MSG
[sandbox] joelclaw is up: $(kubectl -n joelclaw get pods --no-headers | wc -l) pods in namespace joelclaw
[sandbox] host endpoints: 8108 typesense, 8288 inngest, 7880 livekit, 9627 pds, 3111 worker, 6379 redis
[sandbox] faults: curl -X PUT -d down|hang|wrong|ok http://127.0.0.1:${CONTROL_PORT}/endpoints/<port>
[sandbox] export KUBECONFIG=${kubeconfig} PATH=${BIN}:\$PATH   # kubectl and helm of this cluster
MSG
echo "${kubeconfig}"

#!/usr/bin/env bash
# Build pinned Kubernetes control-plane binaries from source, using only the Go
# module proxy, into a cache OUTSIDE the repo:
#   kube-apiserver, kube-controller-manager, kube-scheduler, kubectl  (k8s.io/kubernetes)
#   etcd, etcdctl                                                      (go.etcd.io/etcd/{server,etcdctl}/v3)
#   kwok                                                               (sigs.k8s.io/kwok/cmd/kwok)
#
# Versions live in versions.env next to this script. Each component is built in
# its own throwaway Go module and cached under components/<name>-<version>/, so a
# version bump rebuilds only that component. The combined bin dir holds hard
# links to all binaries. A warm run does not invoke go at all.
#
# Stdout: only the bin dir path (last line). Progress goes to stderr.
# Env:
#   JOELCLAW_K8S_CACHE  cache root (default ${XDG_CACHE_HOME:-$HOME/.cache}/joelclaw-k8s)
#   JOELCLAW_K8S_FORCE  1 = rebuild every component even if cached
#   JOELCLAW_K8S_WARM_ONLY  1 = never build: exit 3 unless every binary is already cached
#   GO                  go binary (default: go on PATH, else /usr/local/go/bin/go)
#   GOTOOLCHAIN         default "local" (never switch toolchains behind our back)
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=versions.env
source "${script_dir}/versions.env"
: "${KUBERNETES_VERSION:?KUBERNETES_VERSION missing from versions.env}"
: "${ETCD_VERSION:?ETCD_VERSION missing from versions.env}"
: "${KWOK_VERSION:?KWOK_VERSION missing from versions.env}"
: "${HELM_VERSION:?HELM_VERSION missing from versions.env}"

cache_root=${JOELCLAW_K8S_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/joelclaw-k8s}
comp_root=${cache_root}/components
work_root=${cache_root}/work
bin_root=${cache_root}/bin
bin_dir=${bin_root}/k8s-${KUBERNETES_VERSION}-etcd-${ETCD_VERSION}-kwok-${KWOK_VERSION}-helm-${HELM_VERSION}
force=${JOELCLAW_K8S_FORCE:-0}

KUBERNETES_BINS=(kube-apiserver kube-controller-manager kube-scheduler kubectl)
ETCD_BINS=(etcd etcdctl)
KWOK_BINS=(kwok)
HELM_BINS=(helm)
ALL_BINS=("${KUBERNETES_BINS[@]}" "${ETCD_BINS[@]}" "${KWOK_BINS[@]}" "${HELM_BINS[@]}")

log() { printf '[k8s-build] %s\n' "$*" >&2; }
die() { printf '[k8s-build] ERROR: %s\n' "$*" >&2; exit 1; }

# have_all DIR BIN... : every BIN is a non-empty executable regular file in DIR.
have_all() {
  local dir=$1 b
  shift
  for b in "$@"; do
    [[ -f ${dir}/${b} && -s ${dir}/${b} && -x ${dir}/${b} ]] || return 1
  done
}

# ---- warm path: no go, no locks, no network -------------------------------
if [[ ${force} != 1 ]] && have_all "${bin_dir}" "${ALL_BINS[@]}"; then
  printf '%s\n' "${bin_dir}"
  exit 0
fi

# ---- cold path --------------------------------------------------------------
if [[ ${JOELCLAW_K8S_WARM_ONLY:-0} == 1 ]]; then
  log "not built yet (${bin_dir}); run: npm run k8s:build (about 20 min cold)"
  exit 3
fi
GO=${GO:-}
if [[ -z ${GO} ]]; then
  GO=$(command -v go || true)
  if [[ -z ${GO} && -x /usr/local/go/bin/go ]]; then GO=/usr/local/go/bin/go; fi
fi
[[ -n ${GO} && -x ${GO} ]] || die "go not found; install Go >= 1.26 or set GO=/path/to/go"
export GOTOOLCHAIN=${GOTOOLCHAIN:-local}
export CGO_ENABLED=0

mkdir -p "${comp_root}" "${work_root}" "${bin_root}"

# One builder at a time per cache (a second concurrent run waits, then finds it warm).
locked=0
if command -v flock >/dev/null 2>&1; then
  locked=1
  exec 9>"${cache_root}/.lock"
  if ! flock -n 9; then
    log "another build holds ${cache_root}/.lock; waiting"
    flock 9
  fi
  if [[ ${force} != 1 ]] && have_all "${bin_dir}" "${ALL_BINS[@]}"; then
    printf '%s\n' "${bin_dir}"
    exit 0
  fi
fi

tmp_paths=()
cleanup() {
  local p
  for p in "${tmp_paths[@]+"${tmp_paths[@]}"}"; do rm -rf -- "${p}"; done
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Leftovers of an interrupted run (only safe while we hold the lock).
if [[ ${locked} == 1 ]]; then
  find "${comp_root}" "${bin_root}" -mindepth 1 -maxdepth 1 \( -name '.tmp-*' -o -name '.old-*' \) \
    -exec rm -rf -- {} + 2>/dev/null || true
fi

log "go: $("${GO}" version) (GOTOOLCHAIN=${GOTOOLCHAIN})"
log "cache: ${cache_root}"

# mod_field MODULE@VERSION TEMPLATE : query module metadata through the proxy.
# Runs inside the component's work dir, which already holds a minimal go.mod.
mod_field() {
  "${GO}" list -m -f "$2" "$1"
}

# upstream_replaces GOMOD : print "old<TAB>new<TAB>newver" for each replace directive
# (newver empty for filesystem-path replacements).
upstream_replaces() {
  awk '
    /^replace[ \t]*\(/ { blk = 1; next }
    blk && /^\)/       { blk = 0; next }
    blk                { print; next }
    /^replace[ \t]/    { sub(/^replace[ \t]+/, ""); print }
  ' "$1" | sed 's,//.*$,,' | while read -r a b c d e; do
    [[ -n ${a} ]] || continue
    if [[ ${b} == "=>" ]]; then
      printf '%s\t%s\t%s\n' "${a}" "${c}" "${d:-}"
    else
      printf '%s\t%s\t%s\n' "${a}" "${d}" "${e:-}"
    fi
  done
}

# translate_replaces LOCAL_VERSION GOMOD... : turn the upstream (main-module-only)
# replace directives into ones that work from our throwaway module.
#   path replace into a FORBIDDEN_DEPENDENCY guard -> dropped
#   any other path replace (./staging/src/k8s.io/api, ../api) -> same module @ LOCAL_VERSION
#   module replace (old => new vX)                  -> copied verbatim
translate_replaces() {
  local local_version=$1 old new newver
  shift
  local gomod
  for gomod in "$@"; do
    while IFS=$'\t' read -r old new newver; do
      if [[ ${new} == *FORBIDDEN_DEPENDENCY* ]]; then
        continue
      elif [[ ${new} == ./* || ${new} == ../* || ${new} == /* ]]; then
        printf '\t%s => %s %s\n' "${old}" "${old}" "${local_version}"
      else
        printf '\t%s => %s %s\n' "${old}" "${new}" "${newver}"
      fi
    done < <(upstream_replaces "${gomod}")
  done | sort -u
}

# start_module WORK NAME : fresh work dir with a minimal go.mod (so go list -m works).
start_module() {
  rm -f "$1/go.mod" "$1/go.sum"
  printf 'module joelclaw.local/k8s-build/%s\n\ngo 1.25.0\n' "$2" >"$1/go.mod"
}

go_build() {
  "${GO}" build -mod=mod -trimpath -buildvcs=false "$@"
}

build_kubernetes() {
  local version=$1 work=$2 out=$3
  local staging_version=v0.${version#v1.} # v1.35.4 -> v0.35.4 (staging modules track 0.<minor>.<patch>)
  local minor=${version#v1.}
  minor=${minor%%.*}
  cd "${work}"
  start_module "${work}" kubernetes
  local meta gomod goversion build_date
  meta=$(mod_field "k8s.io/kubernetes@${version}" '{{.GoMod}}|{{.GoVersion}}|{{.Time.UTC.Format "2006-01-02T15:04:05Z"}}')
  IFS='|' read -r gomod goversion build_date <<<"${meta}"
  [[ -f ${gomod} ]] || { log "no go.mod for k8s.io/kubernetes@${version}"; return 1; }
  {
    printf 'module joelclaw.local/k8s-build/kubernetes\n\ngo %s\n\n' "${goversion}"
    grep -E '^godebug[ \t]' "${gomod}" || true # keep upstream GODEBUG defaults
    printf '\nrequire k8s.io/kubernetes %s\n\n' "${version}"
    printf '// k8s.io/kubernetes replaces its staging modules with ./staging/src/...;\n'
    printf '// from outside its repo they must point at the published %s tags.\n' "${staging_version}"
    printf 'replace (\n'
    translate_replaces "${staging_version}" "${gomod}"
    printf ')\n'
  } >go.mod
  local n
  n=$(grep -c ' => ' go.mod || true)
  log "kubernetes ${version}: ${n} replace directives (staging modules -> ${staging_version}), buildDate ${build_date}"
  # Same version stamping as hack/lib/version.sh, for both version packages.
  local ldflags="-s -w" pkg
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X ${pkg}.gitVersion=${version}"
    ldflags+=" -X ${pkg}.gitMajor=1"
    ldflags+=" -X ${pkg}.gitMinor=${minor}"
    ldflags+=" -X ${pkg}.gitTreeState=archive"
    ldflags+=" -X ${pkg}.buildDate=${build_date}"
  done
  local pkgs=() b
  for b in "${KUBERNETES_BINS[@]}"; do pkgs+=("k8s.io/kubernetes/cmd/${b}"); done
  # Tags as in hack/lib/golang.sh for non-debug builds; static (CGO_ENABLED=0) like upstream.
  go_build -tags selinux,notest,grpcnotrace -ldflags "${ldflags}" -o "${out}/" "${pkgs[@]}"
}

build_etcd() {
  local version=$1 work=$2 out=$3
  cd "${work}"
  start_module "${work}" etcd
  local server_meta ctl_meta server_gomod ctl_gomod goversion
  server_meta=$(mod_field "go.etcd.io/etcd/server/v3@${version}" '{{.GoMod}}|{{.GoVersion}}')
  ctl_meta=$(mod_field "go.etcd.io/etcd/etcdctl/v3@${version}" '{{.GoMod}}')
  IFS='|' read -r server_gomod goversion <<<"${server_meta}"
  ctl_gomod=${ctl_meta}
  {
    printf 'module joelclaw.local/k8s-build/etcd\n\ngo %s\n\n' "${goversion}"
    printf 'require (\n\tgo.etcd.io/etcd/server/v3 %s\n\tgo.etcd.io/etcd/etcdctl/v3 %s\n)\n\n' "${version}" "${version}"
    printf '// etcd replaces its sibling modules with ../api etc.; pin them to the same tag.\n'
    printf 'replace (\n'
    translate_replaces "${version}" "${server_gomod}" "${ctl_gomod}"
    printf ')\n'
  } >go.mod
  # The etcd server main package is the root of go.etcd.io/etcd/server/v3 in 3.6.
  go_build -ldflags "-s -w" -o "${out}/etcd" go.etcd.io/etcd/server/v3
  go_build -ldflags "-s -w" -o "${out}/etcdctl" go.etcd.io/etcd/etcdctl/v3
}

# build_module_binary NAME MODULE PACKAGE BINARY LDFLAGS VERSION WORK OUT : one binary of a module that
# builds as it is published, with the module's own replace directives carried over.
build_module_binary() {
  local name=$1 module=$2 package=$3 binary=$4 ldflags=$5 version=$6 work=$7 out=$8
  cd "${work}"
  start_module "${work}" "${name}"
  local meta gomod goversion
  meta=$(mod_field "${module}@${version}" '{{.GoMod}}|{{.GoVersion}}')
  IFS='|' read -r gomod goversion <<<"${meta}"
  {
    printf 'module joelclaw.local/k8s-build/%s\n\ngo %s\n\n' "${name}" "${goversion}"
    printf 'require %s %s\n' "${module}" "${version}"
    local r
    r=$(translate_replaces "${version}" "${gomod}")
    if [[ -n ${r} ]]; then printf '\nreplace (\n%s\n)\n' "${r}"; fi
  } >go.mod
  go_build -ldflags "-s -w ${ldflags}" -o "${out}/${binary}" "${package}"
}

build_kwok() {
  # Same stamping as kwok's hack/releases.sh.
  build_module_binary kwok sigs.k8s.io/kwok sigs.k8s.io/kwok/cmd/kwok kwok \
    "-X sigs.k8s.io/kwok/pkg/consts.Version=$1" "$@"
}

build_helm() {
  # Same stamping as helm's Makefile.
  build_module_binary helm helm.sh/helm/v3 helm.sh/helm/v3/cmd/helm helm \
    "-X helm.sh/helm/v3/internal/version.version=$1 -X helm.sh/helm/v3/internal/version.gitTreeState=clean" "$@"
}

# ensure_component NAME VERSION BIN... : build into a temp dir, then rename into place.
ensure_component() {
  local name=$1 version=$2
  shift 2
  local dest=${comp_root}/${name}-${version}
  if [[ ${force} != 1 ]] && have_all "${dest}" "$@"; then
    log "${name} ${version}: cached (${dest})"
    return 0
  fi
  local work=${work_root}/${name}-${version} tmp start rc
  mkdir -p "${work}"
  tmp=$(mktemp -d "${comp_root}/.tmp-${name}-${version}.XXXXXX")
  tmp_paths+=("${tmp}")
  chmod 755 "${tmp}"
  log "${name} ${version}: building $* (module dir ${work}); this can take a while"
  start=${SECONDS}
  set +e
  (
    set -euo pipefail
    "build_${name}" "${version}" "${work}" "${tmp}"
  )
  rc=$?
  set -e
  if [[ ${rc} -ne 0 ]]; then
    die "building ${name} ${version} failed (exit ${rc}); see the go output above. Module dir: ${work}"
  fi
  have_all "${tmp}" "$@" || die "building ${name} ${version}: go succeeded but not all of [$*] were produced in ${tmp}"
  if [[ -e ${dest} ]]; then
    local old
    old=$(mktemp -d "${comp_root}/.old-${name}-${version}.XXXXXX")
    tmp_paths+=("${old}")
    mv -- "${dest}" "${old}/"
  fi
  mv -T -- "${tmp}" "${dest}"
  log "${name} ${version}: built in $((SECONDS - start))s -> ${dest}"
}

ensure_component kubernetes "${KUBERNETES_VERSION}" "${KUBERNETES_BINS[@]}"
ensure_component etcd "${ETCD_VERSION}" "${ETCD_BINS[@]}"
ensure_component kwok "${KWOK_VERSION}" "${KWOK_BINS[@]}"
ensure_component helm "${HELM_VERSION}" "${HELM_BINS[@]}"

# Assemble the combined bin dir (hard links; copy if the filesystem refuses), atomically.
tmp=$(mktemp -d "${bin_root}/.tmp-bin.XXXXXX")
tmp_paths+=("${tmp}")
chmod 755 "${tmp}"
link_into() {
  local src_dir=$1 b
  shift
  for b in "$@"; do
    ln -- "${src_dir}/${b}" "${tmp}/${b}" 2>/dev/null || cp -p -- "${src_dir}/${b}" "${tmp}/${b}"
  done
}
link_into "${comp_root}/kubernetes-${KUBERNETES_VERSION}" "${KUBERNETES_BINS[@]}"
link_into "${comp_root}/etcd-${ETCD_VERSION}" "${ETCD_BINS[@]}"
link_into "${comp_root}/kwok-${KWOK_VERSION}" "${KWOK_BINS[@]}"
link_into "${comp_root}/helm-${HELM_VERSION}" "${HELM_BINS[@]}"
{
  printf 'KUBERNETES_VERSION=%s\nETCD_VERSION=%s\nKWOK_VERSION=%s\nHELM_VERSION=%s\n' \
    "${KUBERNETES_VERSION}" "${ETCD_VERSION}" "${KWOK_VERSION}" "${HELM_VERSION}"
  printf '# built with %s\n' "$("${GO}" env GOVERSION)"
} >"${tmp}/VERSIONS"
if [[ -e ${bin_dir} ]]; then
  old=$(mktemp -d "${bin_root}/.old-bin.XXXXXX")
  tmp_paths+=("${old}")
  mv -- "${bin_dir}" "${old}/"
fi
mv -T -- "${tmp}" "${bin_dir}"
log "done: ${bin_dir}"
printf '%s\n' "${bin_dir}"

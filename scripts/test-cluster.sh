#!/usr/bin/env bash
# A real one-node Kubernetes 1.20 cluster on this machine, for devenv's delivery tests.
#
#   scripts/test-cluster.sh start                      build (or reuse the cache), start, wait until Ready
#   scripts/test-cluster.sh stop                       stop everything and remove what start created
#   scripts/test-cluster.sh kubeconfig                 print the kubeconfig's path
#   scripts/test-cluster.sh status                     exit 0 when the API server answers
#   scripts/test-cluster.sh trust-registry HOST:PORT CA.pem [ALIAS...]
#                                                      containerd pulls HOST:PORT (and the ALIAS registries,
#                                                      e.g. docker.io) from that registry, trusting CA.pem
#
# Parts: Debian bookworm's `kubernetes` source package (1.20.2) built with Go 1.23 from
# bookworm-backports (cached by version and recipe in ~/.cache/devenv-test-cluster), etcd
# (etcd-server), a private containerd (its own config, state and socket), CNI from
# containernetworking-plugins on the bridge devenvk0 (10.213.0.1/24), a locally built pause
# image, dnsmasq answering the Services' names (fed by scripts/test-cluster-agent.py, which
# also provisions hostPath volumes for the default StorageClass).
#
# Network safety: nothing may contact a cloud metadata address or any address off this
# machine. The kubelet is built without the AWS/Azure/GCE code (the imports are deleted before
# the build and the build is checked), runs with AWS_EC2_METADATA_DISABLED=true and no cloud
# provider; every listener is on loopback or the bridge; pods get no default route and the
# FORWARD rules drop anything leaving the bridge; containerd pulls from no registry but the
# ones `trust-registry` names (every other registry resolves to a closed loopback port); dnsmasq
# has no upstream server.
set -Eeuo pipefail

VERSION=1.20.2
RECIPE=2          # bump when the build steps change: the cached binaries are rebuilt
DEB_VERSION="1.20.5+really1.20.2-1.1+deb12u1"
CACHE="${DEVENV_CLUSTER_CACHE:-$HOME/.cache/devenv-test-cluster}"
STATE="${DEVENV_CLUSTER_STATE:-/var/lib/devenv-test-cluster}"
BIN="$CACHE/$VERSION/bin"
BRIDGE=devenvk0
NODE_IP=10.213.0.1
POD_CIDR=10.213.0.0/24
SERVICE_CIDR=10.214.0.0/24
NODE=devenv-test
ETCD_PORT=23790
API_PORT=6443
PAUSE_IMAGE=devenv.local/pause:3.2
COMPONENTS=(kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy)
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

log() { printf '[test-cluster] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

need_root() { [ "$(id -u)" = 0 ] || die "must run as root (it creates a bridge, iptables rules and mounts)"; }

apt_install() {
	local missing=()
	for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
	[ ${#missing[@]} -eq 0 ] && return
	log "apt-get install ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >&2 \
		|| { apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >&2; }
}

# --- build -------------------------------------------------------------------------------

# The kubelet must not contain the cloud SDKs (cadvisor's cloudinfo would ask a metadata address).
kubelet_is_clean() {
	local kubelet="$1"
	[ -x "$kubelet" ] || return 1
	if grep -a -q -E 'cadvisor/utils/cloudinfo/(aws|azure|gce)|aws-sdk-go|credentialprovider/(aws|azure|gcp)' "$kubelet"; then
		return 1
	fi
	"$kubelet" --version 2>/dev/null | grep -q "v$VERSION"
}

cache_is_valid() {
	[ "$(cat "$BIN/.recipe" 2>/dev/null)" = "$RECIPE" ] || return 1
	for c in "${COMPONENTS[@]}"; do [ -x "$BIN/$c" ] || return 1; done
	kubelet_is_clean "$BIN/kubelet"
}

private_apt() {  # apt-get with bookworm(-backports) sources of its own, not the machine's
	local dir="$CACHE/apt"
	mkdir -p "$dir/lists/partial" "$dir/parts"
	cat >"$dir/sources.list" <<-EOF
	deb http://deb.debian.org/debian bookworm main
	deb-src http://deb.debian.org/debian bookworm main
	deb http://deb.debian.org/debian bookworm-updates main
	deb http://deb.debian.org/debian-security bookworm-security main
	deb http://deb.debian.org/debian bookworm-backports main
	EOF
	apt-get -o Dir::Etc::SourceList="$dir/sources.list" -o Dir::Etc::SourceParts="$dir/parts" \
		-o Dir::State::Lists="$dir/lists" "$@"
}

# The one generated file the source package lacks (Debian's rules run `make generated_files`):
# the API server's OpenAPI definitions, made as Makefile.generated_files makes them.
gen_openapi() {
	local src="$1" go="$2" gopath="$3"
	local out="$src/pkg/generated/openapi/zz_generated.openapi.go"
	[ -s "$out" ] && return
	log "openapi-gen (pkg/generated/openapi)"
	(cd "$src" && GOPATH="$gopath" GO111MODULE=off CGO_ENABLED=0 GOCACHE="$CACHE/gocache" GOFLAGS= GOTOOLCHAIN=local \
		"$go" build -o "$gopath/bin/openapi-gen" ./vendor/k8s.io/kube-openapi/cmd/openapi-gen >&2)
	local inputs
	inputs="$(cd "$src" && find -H . \( -path './_*' -o -path './.*' -o -path ./vendor \) -prune -o -type f -name '*.go' -print \
		| sed 's|^./staging/src/|vendor/|; s|^./||' | grep -v '/[^/]*/[^/]*_test\.go$' \
		| xargs grep -l '^// *+k8s:' | xargs grep -l '+k8s:openapi-gen=' \
		| grep -v -e '^vendor/k8s.io/code-generator/' -e '^vendor/k8s.io/sample-apiserver/' \
		| xargs -n1 dirname | LC_ALL=C sort -u | sed 's|^|k8s.io/kubernetes/|' | paste -sd, -)"
	(cd "$src" && GOPATH="$gopath" GO111MODULE=off "$gopath/bin/openapi-gen" --logtostderr -i "$inputs" \
		-p k8s.io/kubernetes/pkg/generated/openapi -O zz_generated.openapi -o "$gopath/src" \
		-h vendor/k8s.io/code-generator/hack/boilerplate.go.txt -r "$gopath/openapi-violations.report" >&2)
	[ -s "$out" ] || die "openapi-gen wrote no $out"
}

build() {
	if cache_is_valid; then
		log "using the cached build in $BIN (recipe $RECIPE, kubelet without cloud SDKs)"
		return
	fi
	log "building Kubernetes $VERSION (about 5 minutes on 2 cores)"
	apt_install dpkg-dev ca-certificates
	private_apt update >&2
	DEBIAN_FRONTEND=noninteractive private_apt install -y --no-install-recommends golang-1.23-go >&2
	local go=/usr/lib/go-1.23/bin/go dl="$CACHE/$VERSION/dl" gopath="$CACHE/$VERSION/gopath"
	local src="$gopath/src/k8s.io/kubernetes"
	mkdir -p "$dl"
	if [ ! -f "$dl/kubernetes_${DEB_VERSION}.dsc" ]; then
		(cd "$dl" && private_apt source --download-only "kubernetes=$DEB_VERSION" >&2)
	fi
	rm -rf "$gopath"
	mkdir -p "$(dirname "$src")"
	(cd "$dl" && dpkg-source --no-check -x "kubernetes_${DEB_VERSION}.dsc" "$src" >&2)
	# -tags=providerless is not enough: these imports still link the cloud SDKs into the kubelet.
	sed -i -E '/credentialprovider\/(aws|azure|gcp)"/d' \
		"$src/cmd/kubelet/app/plugins.go" "$src/cmd/kubelet/app/options/globalflags.go"
	sed -i -E '/cadvisor\/utils\/cloudinfo\/(aws|azure|gce)"/d' "$src/pkg/kubelet/cadvisor/cadvisor_linux.go"
	if grep -E -q 'cloudinfo/(aws|azure|gce)|credentialprovider/(aws|azure|gcp)' \
		"$src/cmd/kubelet/app/plugins.go" "$src/cmd/kubelet/app/options/globalflags.go" \
		"$src/pkg/kubelet/cadvisor/cadvisor_linux.go"; then
		die "the cloud imports are still in the kubelet's sources"
	fi
	gen_openapi "$src" "$go" "$gopath"
	local pkg=k8s.io/kubernetes/vendor/k8s.io/component-base/version
	local ldflags="-s -w -X $pkg.gitVersion=v$VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=20 -X $pkg.gitTreeState=clean"
	mkdir -p "$BIN"
	rm -f "$BIN/.recipe"
	for c in "${COMPONENTS[@]}"; do
		log "go build $c"
		(cd "$src" && GOPATH="$gopath" GO111MODULE=off CGO_ENABLED=0 GOCACHE="$CACHE/gocache" \
			GOFLAGS= GOTOOLCHAIN=local "$go" build -trimpath -tags=providerless -ldflags "$ldflags" \
			-o "$BIN/$c" "./cmd/$c" >&2)
	done
	kubelet_is_clean "$BIN/kubelet" || die "the built kubelet still links a cloud SDK; refusing to use it"
	echo "$RECIPE" >"$BIN/.recipe"
}

pause_image() {  # a static pause binary in a scratch image, saved as a tar for containerd
	local dir="$CACHE/$VERSION/pause" tar="$CACHE/$VERSION/pause.tar"
	[ -s "$tar" ] && return
	apt_install gcc libc6-dev
	mkdir -p "$dir"
	cat >"$dir/pause.c" <<-'EOF'
	#include <signal.h>
	#include <stdlib.h>
	#include <unistd.h>
	#include <sys/wait.h>
	static void reap(int s) { (void)s; while (waitpid(-1, NULL, WNOHANG) > 0) {} }
	static void quit(int s) { (void)s; exit(0); }
	int main(void) {
		signal(SIGINT, quit); signal(SIGTERM, quit); signal(SIGCHLD, reap);
		for (;;) pause();
	}
	EOF
	gcc -static -Os -o "$dir/pause" "$dir/pause.c"
	printf 'FROM scratch\nCOPY pause /pause\nUSER 65535:65535\nENTRYPOINT ["/pause"]\n' >"$dir/Dockerfile"
	docker build -q -t "$PAUSE_IMAGE" "$dir" >&2
	docker save -o "$tar" "$PAUSE_IMAGE"
	docker rmi "$PAUSE_IMAGE" >/dev/null
}

# --- start -------------------------------------------------------------------------------

pki() {
	local p="$STATE/pki"
	mkdir -p "$p"
	[ -s "$p/apiserver.crt" ] && return
	openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=devenv-test-cluster-ca" \
		-keyout "$p/ca.key" -out "$p/ca.crt" 2>/dev/null
	openssl req -newkey rsa:2048 -nodes -subj "/CN=kube-apiserver" -keyout "$p/apiserver.key" \
		-out "$p/apiserver.csr" 2>/dev/null
	printf 'subjectAltName=IP:127.0.0.1,IP:%s,IP:10.214.0.1,DNS:localhost,DNS:kubernetes.default.svc\n' "$NODE_IP" \
		>"$p/ext.cnf"
	openssl x509 -req -in "$p/apiserver.csr" -CA "$p/ca.crt" -CAkey "$p/ca.key" -CAcreateserial -days 30 \
		-extfile "$p/ext.cnf" -out "$p/apiserver.crt" 2>/dev/null
	openssl genrsa -out "$p/sa.key" 2048 2>/dev/null
	openssl rsa -in "$p/sa.key" -pubout -out "$p/sa.pub" 2>/dev/null
	head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$p/token"
	printf '%s,admin,admin,system:masters\n' "$(cat "$p/token")" >"$p/tokens.csv"
	chmod 600 "$p"/*.key "$p/token" "$p/tokens.csv"
}

write_kubeconfig() {
	cat >"$STATE/kubeconfig" <<-EOF
	apiVersion: v1
	kind: Config
	clusters:
	- name: devenv-test
	  cluster:
	    server: https://127.0.0.1:$API_PORT
	    certificate-authority: $STATE/pki/ca.crt
	users:
	- name: admin
	  user:
	    token: $(cat "$STATE/pki/token")
	contexts:
	- name: devenv-test
	  context: {cluster: devenv-test, user: admin}
	current-context: devenv-test
	EOF
	chmod 600 "$STATE/kubeconfig"
}

spawn() {  # spawn NAME COMMAND...: a background process with its log and pid file
	local name="$1"; shift
	setsid "$@" >>"$STATE/logs/$name.log" 2>&1 </dev/null &
	echo $! >"$STATE/pids/$name"
}

wait_for() {  # wait_for SECONDS WHAT COMMAND...
	local seconds="$1" what="$2"; shift 2
	local end=$((SECONDS + seconds))
	until "$@" >/dev/null 2>&1; do
		[ $SECONDS -lt $end ] || die "$what did not come up in ${seconds}s (logs: $STATE/logs)"
		sleep 1
	done
}

api() {  # api PATH: GET from the API server as admin
	curl -fsS --max-time 5 --cacert "$STATE/pki/ca.crt" -H "Authorization: Bearer $(cat "$STATE/pki/token")" \
		"https://127.0.0.1:$API_PORT$1"
}

node_ready() {
	api "/api/v1/nodes/$NODE" | python3 -c 'import json,sys; c={x["type"]: x["status"] for x in json.load(sys.stdin)["status"]["conditions"]}; sys.exit(c.get("Ready") != "True")'
}

network() {
	if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
		ip link add name "$BRIDGE" type bridge
	fi
	ip addr replace "$NODE_IP/24" dev "$BRIDGE"
	ip link set "$BRIDGE" up
	modprobe br_netfilter 2>/dev/null || true
	[ "$(cat /proc/sys/net/bridge/bridge-nf-call-iptables 2>/dev/null)" = 1 ] \
		|| sysctl -qw net.bridge.bridge-nf-call-iptables=1 || die "bridge-nf-call-iptables cannot be enabled"
	[ "$(cat /proc/sys/net/ipv4/ip_forward)" = 1 ] || sysctl -qw net.ipv4.ip_forward=1
	# Docker's FORWARD policy is DROP: allow traffic inside the bridge, drop anything leaving it.
	iptables -C FORWARD -i "$BRIDGE" -o "$BRIDGE" -j ACCEPT 2>/dev/null \
		|| iptables -I FORWARD 1 -i "$BRIDGE" -o "$BRIDGE" -j ACCEPT
	iptables -C FORWARD -i "$BRIDGE" ! -o "$BRIDGE" -j DROP 2>/dev/null \
		|| iptables -I FORWARD 2 -i "$BRIDGE" ! -o "$BRIDGE" -j DROP
	mkdir -p "$STATE/cni/net.d"
	cat >"$STATE/cni/net.d/10-devenv.conflist" <<-EOF
	{
	  "cniVersion": "0.4.0",
	  "name": "devenv-test",
	  "plugins": [
	    {
	      "type": "bridge",
	      "bridge": "$BRIDGE",
	      "isGateway": true,
	      "isDefaultGateway": false,
	      "ipMasq": false,
	      "hairpinMode": true,
	      "ipam": {
	        "type": "host-local",
	        "dataDir": "$STATE/cni/ipam",
	        "ranges": [[{"subnet": "$POD_CIDR", "rangeStart": "10.213.0.10", "gateway": "$NODE_IP"}]],
	        "routes": [{"dst": "$SERVICE_CIDR"}]
	      }
	    },
	    {"type": "loopback"}
	  ]
	}
	EOF
}

containerd_config() {
	local dir="$STATE/containerd"
	mkdir -p "$dir/certs.d/_default"
	# Any registry not named by trust-registry: a closed loopback port, never the internet.
	printf 'server = "https://127.0.0.1:9"\n' >"$dir/certs.d/_default/hosts.toml"
	cat >"$dir/config.toml" <<-EOF
	version = 2
	root = "$dir/root"
	state = "$dir/state"
	disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.internal.v1.opt", "io.containerd.tracing.processor.v1.otlp"]
	[grpc]
	  address = "$dir/containerd.sock"
	[ttrpc]
	  address = "$dir/containerd.sock.ttrpc"
	[debug]
	  address = ""
	[metrics]
	  address = ""
	[plugins."io.containerd.grpc.v1.cri"]
	  sandbox_image = "$PAUSE_IMAGE"
	  restrict_oom_score_adj = true
	  enable_selinux = false
	  netns_mounts_under_state_dir = true
	  [plugins."io.containerd.grpc.v1.cri".containerd]
	    snapshotter = "overlayfs"
	    default_runtime_name = "runc"
	    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
	      runtime_type = "io.containerd.runc.v2"
	      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
	        SystemdCgroup = false
	  [plugins."io.containerd.grpc.v1.cri".cni]
	    bin_dir = "/usr/lib/cni"
	    conf_dir = "$STATE/cni/net.d"
	  [plugins."io.containerd.grpc.v1.cri".registry]
	    config_path = "$dir/certs.d"
	EOF
}

kubelet_config() {
	printf 'nameserver %s\n' "$NODE_IP" >"$STATE/resolv.conf"
	cat >"$STATE/kubelet.yaml" <<-EOF
	apiVersion: kubelet.config.k8s.io/v1beta1
	kind: KubeletConfiguration
	address: $NODE_IP
	port: 10250
	readOnlyPort: 0
	healthzBindAddress: 127.0.0.1
	healthzPort: 10248
	authentication:
	  anonymous: {enabled: true}
	  webhook: {enabled: false}
	authorization: {mode: AlwaysAllow}
	cgroupDriver: cgroupfs
	cgroupsPerQOS: false
	enforceNodeAllocatable: []
	failSwapOn: false
	clusterDNS: [$NODE_IP]
	clusterDomain: cluster.local
	resolvConf: $STATE/resolv.conf
	serializeImagePulls: false
	imageGCHighThresholdPercent: 100
	imageGCLowThresholdPercent: 99
	evictionHard: {memory.available: 100Mi, nodefs.available: 1%, imagefs.available: 1%}
	makeIPTablesUtilChains: false
	syncFrequency: 10s
	fileCheckFrequency: 10s
	EOF
}

start() {
	need_root
	if status >/dev/null 2>&1; then
		log "already running ($STATE/kubeconfig)"
		echo "$STATE/kubeconfig"
		return
	fi
	apt_install etcd-server containerd containernetworking-plugins dnsmasq-base conntrack iptables openssl curl
	build
	pause_image
	mkdir -p "$STATE"/{logs,pids,dns,volumes}
	pki
	write_kubeconfig
	network
	containerd_config
	kubelet_config
	local p="$STATE/pki"

	log "etcd"
	spawn etcd etcd --name devenv-test --data-dir "$STATE/etcd" \
		--listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
		--listen-peer-urls http://127.0.0.1:23800 --initial-advertise-peer-urls http://127.0.0.1:23800 \
		--initial-cluster devenv-test=http://127.0.0.1:23800 --listen-metrics-urls "" --log-level warn
	wait_for 60 etcd curl -fsS "http://127.0.0.1:$ETCD_PORT/health"

	log "kube-apiserver"
	spawn kube-apiserver "$BIN/kube-apiserver" --etcd-servers "http://127.0.0.1:$ETCD_PORT" \
		--bind-address 127.0.0.1 --secure-port "$API_PORT" --advertise-address "$NODE_IP" --insecure-port 0 \
		--tls-cert-file "$p/apiserver.crt" --tls-private-key-file "$p/apiserver.key" --cert-dir "$p" \
		--token-auth-file "$p/tokens.csv" --authorization-mode RBAC \
		--service-cluster-ip-range "$SERVICE_CIDR" --service-account-key-file "$p/sa.pub" \
		--service-account-signing-key-file "$p/sa.key" --service-account-issuer https://kubernetes.default.svc \
		--kubelet-preferred-address-types InternalIP --allow-privileged=false --profiling=false \
		--enable-priority-and-fairness=false --endpoint-reconciler-type none
	wait_for 120 kube-apiserver api /readyz

	log "kube-controller-manager, kube-scheduler"
	spawn kube-controller-manager "$BIN/kube-controller-manager" --kubeconfig "$STATE/kubeconfig" \
		--bind-address 127.0.0.1 --secure-port 0 --port 0 --leader-elect=false \
		--service-account-private-key-file "$p/sa.key" --root-ca-file "$p/ca.crt" \
		--use-service-account-credentials=false --profiling=false
	spawn kube-scheduler "$BIN/kube-scheduler" --kubeconfig "$STATE/kubeconfig" --bind-address 127.0.0.1 \
		--secure-port 0 --port 0 --leader-elect=false --profiling=false

	log "containerd"
	spawn containerd containerd --config "$STATE/containerd/config.toml"
	wait_for 60 containerd ctr --address "$STATE/containerd/containerd.sock" version
	ctr --address "$STATE/containerd/containerd.sock" -n k8s.io images import "$CACHE/$VERSION/pause.tar" >/dev/null

	log "kubelet (no cloud provider, AWS_EC2_METADATA_DISABLED=true)"
	spawn kubelet env AWS_EC2_METADATA_DISABLED=true "$BIN/kubelet" --config "$STATE/kubelet.yaml" \
		--kubeconfig "$STATE/kubeconfig" --container-runtime remote \
		--container-runtime-endpoint "unix://$STATE/containerd/containerd.sock" \
		--pod-infra-container-image "$PAUSE_IMAGE" --root-dir "$STATE/kubelet" --cert-dir "$STATE/kubelet/pki" \
		--hostname-override "$NODE" --node-ip "$NODE_IP" --cloud-provider "" --v 1

	log "kube-proxy"
	spawn kube-proxy "$BIN/kube-proxy" --kubeconfig "$STATE/kubeconfig" --proxy-mode iptables \
		--hostname-override "$NODE" --cluster-cidr "$POD_CIDR" --bind-address 127.0.0.1 \
		--healthz-bind-address 127.0.0.1:10356 --metrics-bind-address 127.0.0.1:10349 \
		--conntrack-max-per-core 0 --profiling=false

	log "dnsmasq (cluster DNS on $NODE_IP, no upstream) and the agent"
	: >"$STATE/dns/cluster.hosts"
	spawn dnsmasq dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts --no-poll \
		--listen-address "$NODE_IP" --bind-interfaces --except-interface lo --port 53 --local=/cluster.local/ \
		--domain-needed --addn-hosts "$STATE/dns/cluster.hosts" --user=root --log-facility=-
	spawn agent python3 "$HERE/test-cluster-agent.py" --kubeconfig "$STATE/kubeconfig" \
		--hosts "$STATE/dns/cluster.hosts" --dnsmasq-pidfile "$STATE/pids/dnsmasq" --volumes "$STATE/volumes"

	wait_for 180 "the node" node_ready
	wait_for 60 "the default service account" api /api/v1/namespaces/default/serviceaccounts/default
	log "ready: export KUBECONFIG=$STATE/kubeconfig"
	echo "$STATE/kubeconfig"
}

# --- stop --------------------------------------------------------------------------------

stop_pid() {
	local name="$1" file="$STATE/pids/$1"
	[ -f "$file" ] || return 0
	local pid
	pid="$(cat "$file")"
	if kill -0 "$pid" 2>/dev/null; then
		kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
		for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
		kill -KILL -- "-$pid" 2>/dev/null || true
	fi
	rm -f "$file"
	log "stopped $name"
}

remove_kube_chains() {  # what kube-proxy --cleanup leaves: the kubelet's chains (only this cluster makes KUBE-*)
	local table chain
	iptables -D INPUT -j KUBE-FIREWALL 2>/dev/null || true
	iptables -D OUTPUT -j KUBE-FIREWALL 2>/dev/null || true
	iptables -t nat -D POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING 2>/dev/null || true
	for table in filter nat mangle; do
		for chain in $(iptables -t "$table" -S 2>/dev/null | awk '$1 == "-N" && $2 ~ /^KUBE-/ {print $2}'); do
			iptables -t "$table" -F "$chain" 2>/dev/null || true
		done
		for chain in $(iptables -t "$table" -S 2>/dev/null | awk '$1 == "-N" && $2 ~ /^KUBE-/ {print $2}'); do
			iptables -t "$table" -X "$chain" 2>/dev/null || true
		done
	done
}

stop() {
	need_root
	[ -d "$STATE" ] || { log "not running"; return; }
	stop_pid agent
	stop_pid kubelet
	local sock="$STATE/containerd/containerd.sock"
	if [ -S "$sock" ] && ctr --address "$sock" version >/dev/null 2>&1; then
		# Every pod's processes: kill the tasks, so their shims exit.
		for id in $(ctr --address "$sock" -n k8s.io tasks ls -q 2>/dev/null); do
			ctr --address "$sock" -n k8s.io tasks kill -s SIGKILL "$id" >/dev/null 2>&1 || true
		done
		sleep 1
		for id in $(ctr --address "$sock" -n k8s.io tasks ls -q 2>/dev/null); do
			ctr --address "$sock" -n k8s.io tasks delete -f "$id" >/dev/null 2>&1 || true
		done
	fi
	for c in kube-proxy kube-scheduler kube-controller-manager kube-apiserver dnsmasq containerd etcd; do
		stop_pid "$c"
	done
	"$BIN/kube-proxy" --cleanup >/dev/null 2>&1 || true
	remove_kube_chains
	# Mounts containerd and the kubelet made under the state directory (deepest first).
	awk -v s="$STATE/" 'index($2, s) == 1 {print $2}' /proc/mounts | sort -r | while read -r m; do
		umount -l "$m" 2>/dev/null || true
	done
	iptables -D FORWARD -i "$BRIDGE" -o "$BRIDGE" -j ACCEPT 2>/dev/null || true
	iptables -D FORWARD -i "$BRIDGE" ! -o "$BRIDGE" -j DROP 2>/dev/null || true
	ip link del "$BRIDGE" 2>/dev/null || true
	rm -rf "$STATE"
	log "stopped and removed $STATE"
}

status() {
	[ -s "$STATE/kubeconfig" ] && api /readyz >/dev/null 2>&1
}

trust_registry() {
	local hostport="$1" ca="$2"; shift 2
	local dir="$STATE/containerd/certs.d"
	mkdir -p "$dir"
	cp "$ca" "$dir/$hostport.ca.pem"
	for name in "$hostport" "$@"; do
		mkdir -p "$dir/$name"
		cat >"$dir/$name/hosts.toml" <<-EOF
		server = "https://$hostport"
		[host."https://$hostport"]
		  capabilities = ["pull", "resolve"]
		  ca = "$dir/$hostport.ca.pem"
		EOF
	done
	log "containerd pulls $* $hostport from https://$hostport"
}

case "${1:-}" in
	start) start ;;
	stop) stop ;;
	kubeconfig) echo "$STATE/kubeconfig" ;;
	status) status ;;
	build) build; pause_image ;;
	trust-registry) [ $# -ge 3 ] || die "usage: $0 trust-registry HOST:PORT CA.pem [ALIAS...]"; shift; trust_registry "$@" ;;
	*) echo "usage: $0 start|stop|kubeconfig|status|build|trust-registry HOST:PORT CA.pem [ALIAS...]" >&2; exit 2 ;;
esac

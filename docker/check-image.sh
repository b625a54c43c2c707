#!/usr/bin/env bash
# docker/check-image.sh - build easgate's container image (docker/Dockerfile, context: the
# repository root) and prove it works, on a Debian 12 host with no Docker engine and no
# container registry: Debian's buildah and podman, and a local stand-in for the
# node:20-bookworm-slim base image made from this machine's apt mirror and its own Node.js 20.
#
#   1. installs buildah, podman, runc and mmdebstrap from Debian if missing;
#   2. writes a private containers config under $WORK (runc + cgroupfs, default ulimits);
#   3. makes localhost/node-base:20 if it is missing (mmdebstrap bookworm minbase + host node);
#   4. builds the image (buildah bud --format docker --layers, host CA bundle bind-mounted so
#      npm ci works through a TLS-intercepting proxy; it does not end up in the image);
#   5. checks the image's content: no TypeScript sources, no dev dependencies, no .env;
#   6. runs the sample upstream as one container and the gateway as another (--network host,
#      free ports), waits for /healthz, passes a simulated phone's whole conversation
#      (`easgate simulate`, from a third container) through the gateway, checks /readyz;
#   7. runs the image's HEALTHCHECK with `podman healthcheck run`;
#   8. checks the gateway's PID 1 is node, running as a non-root uid;
#   9. sends SIGTERM and checks the gateway exits 0 by itself within its drain time;
#  10. removes its containers (also when a step fails).
# Exit 0 only if every step passed; otherwise "FAIL: <reason>" on stderr and exit 1.
#
# Knobs (environment):
#   WORK=/tmp/easgate-ctr  container storage, config and logs (kept between runs: the cache)
#   IMAGE=localhost/easgate:check   tag of the built image
#   CLEAN=1            wipe the storage first (a build from scratch, base image included)
#   REBUILD_BASE=1     remake localhost/node-base:20
#   BASE=image         build on this base instead of the local stand-in (skips step 3)
#   STORAGE_DRIVER=overlay   or vfs if native overlay is unavailable
#   READY_TIMEOUT=30   seconds to wait for each listener
#   STOP_TIMEOUT=30    seconds SIGTERM may take before the check fails
# Needs root (buildah's chroot isolation, apt-get); re-executes itself through `sudo -n`.
set -euo pipefail

if [[ $(id -u) != 0 ]]; then exec sudo -n --preserve-env "$0" "$@"; fi

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK=${WORK:-/tmp/easgate-ctr}
IMAGE=${IMAGE:-localhost/easgate:check}
BASE_IMAGE=localhost/node-base:20
READY_TIMEOUT=${READY_TIMEOUT:-30}
STOP_TIMEOUT=${STOP_TIMEOUT:-30}
LABEL=easgate-check
GW=easgate-check-gw-$$
UP=easgate-check-up-$$
HOST_CA=/etc/ssl/certs/ca-certificates.crt

mkdir -p "$WORK/config" "$WORK/logs"
export CONTAINERS_STORAGE_CONF=$WORK/config/storage.conf
export CONTAINERS_CONF=$WORK/config/containers.conf
export BUILDAH_FORMAT=docker        # keep HEALTHCHECK (the OCI format drops it)

now() { date +%s.%N; }
T0=$(now)
lap() { printf '### %s: %.1f s\n' "$1" "$(awk -v a="$2" -v b="$(now)" 'BEGIN{print b-a}')"; }
log() { echo "### $*"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
# podman 4.3 without systemd logs harmless "unable to get systemd connection ... healthchecks" errors
quiet_systemd() { grep -v -e 'systemd connection' -e 'Removing timer for container' >&2 || true; }

# One check at a time per WORK (the storage is shared between runs). Every podman runs with
# the lock's descriptor closed: conmon outlives `podman run -d` and would keep the lock.
exec 9>"$WORK/lock"
flock -w 300 9 || fail "another check-image.sh has held $WORK/lock for 300 s"
podman() { command podman "$@" 9>&-; }
buildah() { command buildah "$@" 9>&-; }

# ---------------------------------------------------------------- 1. packages
t=$(now)
need=()
# type -P: the executables on PATH (command -v would find the podman and buildah functions above)
for p in buildah podman runc mmdebstrap curl; do type -P "$p" >/dev/null 2>&1 || need+=("$p"); done
if ((${#need[@]})); then
  log "installing ${need[*]}"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"; } >"$WORK/logs/apt.log" 2>&1 \
    || { tail -5 "$WORK/logs/apt.log" >&2; fail "could not install ${need[*]}"; }
fi
lap packages "$t"

# ---------------------------------------------------------------- 2. config
cat >"$WORK/config/storage.conf" <<EOF
[storage]
driver = "${STORAGE_DRIVER:-overlay}"
runroot = "$WORK/run"
graphroot = "$WORK/storage"
EOF
cat >"$WORK/config/containers.conf" <<EOF
[containers]
# root here lacks CAP_SYS_RESOURCE, so podman's default rlimits
# (nofile=1048576, nproc > conmon's 32768) fail with "setrlimit ... Operation not permitted"
default_ulimits = ["nofile=$(ulimit -Hn):$(ulimit -Hn)", "nproc=32768:32768"]
[engine]
runtime = "runc"            # crun 1.8.1: "cgroups in hybrid mode not supported"
cgroup_manager = "cgroupfs" # PID 1 is not systemd
events_logger = "file"
tmp_dir = "$WORK/run/libpod"  # instead of /run/libpod
EOF

if [[ ${CLEAN:-0} == 1 ]]; then
  t=$(now)
  log "CLEAN=1: podman system reset"
  podman system reset -f >/dev/null 2>&1 || true
  findmnt -rn -o TARGET | grep -E "^$WORK/(storage|run|rootfs)/" | sort -r | xargs -r umount -l || true
  rm -rf "$WORK/storage" "$WORK/run" "$WORK/rootfs"
  lap clean "$t"
fi

# containers left by an earlier run that was killed
podman ps -aq --filter "label=$LABEL" 2>/dev/null | xargs -r podman rm -f >/dev/null 2> >(quiet_systemd) || true

# ---------------------------------------------------------------- 3. base image
if [[ -n ${BASE:-} ]]; then
  BASE_IMAGE=$BASE
  log "base image: $BASE_IMAGE (given)"
elif [[ ${REBUILD_BASE:-0} == 1 ]] || ! podman image exists "$BASE_IMAGE"; then
  uris=$({ grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}'
           grep -hs '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list | awk '{print $2}'; } || true)
  MIRROR=${MIRROR:-$(awk '!/-security/ {print; exit}' <<<"$uris")}
  SECURITY_MIRROR=${SECURITY_MIRROR:-$(awk '/-security/ {print; exit}' <<<"$uris")}
  [[ -n $MIRROR ]] || fail "no Debian mirror found in /etc/apt (set MIRROR)"
  NODE_BIN=$(readlink -f "$(command -v node)")
  NODE_VER=$("$NODE_BIN" --version)
  [[ $NODE_VER == v20.* ]] || fail "host node is $NODE_VER; the stand-in base image needs v20.x"
  NPM_DIR=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")   # .../node_modules/npm
  NM_DIR=$(dirname "$NPM_DIR")
  R=$WORK/rootfs
  rm -rf "$R"
  t=$(now)
  log "mmdebstrap bookworm minbase -> $R"
  sources=("deb $MIRROR bookworm main" "deb $MIRROR bookworm-updates main")
  [[ -n $SECURITY_MIRROR ]] && sources+=("deb $SECURITY_MIRROR bookworm-security main")
  mmdebstrap --quiet --variant=minbase --include=ca-certificates \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-include=/usr/share/doc/*/copyright' --dpkgopt='path-exclude=/usr/share/locale/*' \
    --dpkgopt='path-exclude=/usr/share/info/*' \
    bookworm "$R" "${sources[@]}" >"$WORK/logs/mmdebstrap.log" 2>&1 \
    || { tail -20 "$WORK/logs/mmdebstrap.log" >&2; fail "mmdebstrap could not make the base root file system"; }
  lap mmdebstrap "$t"

  t=$(now)
  log "adding host node $NODE_VER + npm"
  install -d "$R/usr/local/bin" "$R/usr/local/lib/node_modules"
  cp -a "$NODE_BIN" "$R/usr/local/bin/node"
  cp -a "$NPM_DIR" "$R/usr/local/lib/node_modules/"
  [[ -d $NM_DIR/corepack ]] && cp -a "$NM_DIR/corepack" "$R/usr/local/lib/node_modules/"
  rm -f "$R/usr/local/lib/node_modules/npm/npmrc"        # no host-specific builtin npm config
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$R/usr/local/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$R/usr/local/bin/npx"
  chroot "$R" groupadd --gid 1000 node
  chroot "$R" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
  chroot "$R" /usr/local/bin/node --version >/dev/null
  rm -rf "$R"/var/lib/apt/lists/* "$R"/var/cache/apt/*.bin
  lap add-node "$t"

  t=$(now)
  log "podman import -> $BASE_IMAGE"
  podman rmi -f "$BASE_IMAGE" >/dev/null 2>&1 || true
  tar --numeric-owner -C "$R" -c . | podman import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change "ENV NODE_VERSION=${NODE_VER#v}" \
    --change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' \
    --change 'CMD ["node"]' \
    --message "debian bookworm minbase + node $NODE_VER (stand-in for node:20-bookworm-slim)" \
    - "$BASE_IMAGE" >"$WORK/logs/import.log" 2>&1 || { cat "$WORK/logs/import.log" >&2; fail "podman import of the base image"; }
  rm -rf "$R"
  lap import "$t"
else
  log "$BASE_IMAGE already present (REBUILD_BASE=1 to redo)"
fi

# ---------------------------------------------------------------- 4. build
t=$(now)
log "buildah bud -f docker/Dockerfile $REPO -> $IMAGE"
# The host's CA bundle (it trusts the egress proxy's CA) is bind-mounted over the base image's
# bundle only for the RUN steps; the base image sets NODE_EXTRA_CA_CERTS to that path.
build_status=0
buildah bud --isolation chroot --network host --format docker --layers \
  --build-arg BASE="$BASE_IMAGE" \
  -v "$HOST_CA:/etc/ssl/certs/ca-certificates.crt:ro" \
  -f "$REPO/docker/Dockerfile" -t "$IMAGE" "$REPO" >"$WORK/logs/build.log" 2>&1 || build_status=$?
grep -E '^(STEP|Error|error|npm error|added)|Using cache' "$WORK/logs/build.log" | sed 's/^/    /' || true
if [[ $build_status != 0 ]] || ! podman image exists "$IMAGE"; then
  tail -30 "$WORK/logs/build.log" >&2
  fail "the image did not build (buildah exit $build_status; log: $WORK/logs/build.log)"
fi
# Drop untagged images (earlier builds, the build stage's layers) only when a day old, so that
# the next run finds the build stage in its cache too.
podman image prune -f --filter until=24h >/dev/null 2>&1 || true
lap build "$t"

# ---------------------------------------------------------------- 5. content
t=$(now)
hc=$(podman image inspect -f '{{if .Config.Healthcheck}}{{.Config.Healthcheck.Test}}{{end}}' "$IMAGE" 2>/dev/null || true)
[[ -n $hc ]] || fail "the image has no HEALTHCHECK (built without --format docker?)"
user=$(podman image inspect -f '{{.Config.User}}' "$IMAGE")
[[ -n $user && $user != root && ${user%%:*} != 0 ]] || fail "the image's USER is '${user:-unset}', not a non-root user"
podman image inspect -f '{{json .Config.ExposedPorts}}' "$IMAGE" | grep -q '8080/tcp' || fail "the image does not EXPOSE 8080"
# shellcheck disable=SC2016
content=$(podman run --rm --label "$LABEL=1" --network none --entrypoint sh "$IMAGE" -c '
  test -f dist/cli/easgate.js || echo "no dist/cli/easgate.js"
  test -e src && echo "TypeScript sources (src/) in the runtime image"
  for d in typescript vitest tsx fast-check @types; do test -e node_modules/$d && echo "dev dependency $d in the runtime image"; done
  test -d node_modules/fastify || echo "production dependency fastify missing"
  find / -xdev \( -name ".env" -o -name "*.env" -o -name ".npmrc" \) -not -path "/proc/*" 2>/dev/null | sed "s/^/secret-looking file: /"
  true' 2> >(quiet_systemd)) || fail "could not run a shell in the image"
[[ -z $content ]] && log "content: dist/ and production dependencies only, USER $user, HEALTHCHECK present" \
  || fail "image content: $content"
lap content "$t"

# ---------------------------------------------------------------- 6. run
cleanup() { local c; for c in "$GW" "$UP"; do podman rm -f --ignore -t 2 "$c" >/dev/null 2> >(quiet_systemd) || true; done; }
trap cleanup EXIT
free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
up_port=$(free_port)
gw_port=$(free_port)
while [[ $gw_port == "$up_port" ]]; do gw_port=$(free_port); done
running() { [[ $(podman inspect -f '{{.State.Running}}' "$1" 2>/dev/null) == true ]]; }
wait_http() { # wait_http CONTAINER URL
  local i
  for i in $(seq 1 $((READY_TIMEOUT * 10))); do
    curl -fsS -m 2 -o /dev/null "$2" 2>/dev/null && return 0
    running "$1" || return 1
    sleep 0.1
  done
  return 1
}
dump_logs() { podman logs "$1" 2>&1 | tail -20 | sed "s/^/    [$1] /" >&2 || true; }

t=$(now)
log "sample upstream container on 127.0.0.1:$up_port"
podman run -d --name "$UP" --label "$LABEL=1" --network host --health-interval disable "$IMAGE" \
  node dist/cli/easgate.js sample-upstream --host 127.0.0.1 --port "$up_port" --quiet >/dev/null 2> >(quiet_systemd) \
  || fail "podman run of the sample upstream"
upstream_url=http://127.0.0.1:$up_port/Microsoft-Server-ActiveSync
# the sample upstream answers OPTIONS on its ActiveSync path with 200 for a good user
for _ in $(seq 1 $((READY_TIMEOUT * 10))); do
  [[ $(curl -s -m 2 -o /dev/null -w '%{http_code}' -X OPTIONS -u alice:alice123 "$upstream_url" 2>/dev/null) == 200 ]] && break
  running "$UP" || break
  sleep 0.1
done
[[ $(curl -s -m 2 -o /dev/null -w '%{http_code}' -X OPTIONS -u alice:alice123 "$upstream_url") == 200 ]] \
  || { dump_logs "$UP"; fail "the sample upstream container did not answer on $upstream_url"; }

log "gateway container on 127.0.0.1:$gw_port (upstream $upstream_url)"
podman run -d --name "$GW" --label "$LABEL=1" --network host --health-interval disable \
  --env EASGATE_UPSTREAM_URL="$upstream_url" --env EASGATE_PORT="$gw_port" --env EASGATE_HOST=127.0.0.1 \
  --env EASGATE_INSTANCE=image-check --env EASGATE_DRAIN_TIMEOUT_MS=5000 \
  "$IMAGE" >/dev/null 2> >(quiet_systemd) || fail "podman run of the gateway"
wait_http "$GW" "http://127.0.0.1:$gw_port/healthz" || { dump_logs "$GW"; fail "the gateway did not answer /healthz on 127.0.0.1:$gw_port within ${READY_TIMEOUT} s"; }
lap run-until-healthy "$t"

t=$(now)
log "simulated phone through the gateway: easgate simulate --url http://127.0.0.1:$gw_port/Microsoft-Server-ActiveSync --user alice"
sim_status=0
podman run --rm --label "$LABEL=1" --network host --health-interval disable --env EASGATE_SIMULATE_PASSWORD=alice123 "$IMAGE" \
  node dist/cli/easgate.js simulate --url "http://127.0.0.1:$gw_port/Microsoft-Server-ActiveSync" --user alice \
  >"$WORK/logs/simulate.log" 2> >(quiet_systemd) || sim_status=$?
tail -n 8 "$WORK/logs/simulate.log" | sed 's/^/    [simulate] /'
if [[ $sim_status != 0 ]]; then dump_logs "$GW"; fail "easgate simulate through the gateway exited $sim_status"; fi
# the log reaches `podman logs` through conmon a moment after the response
logged=0
for _ in $(seq 1 50); do podman logs "$GW" 2>&1 | grep -q '"cmd":"FolderSync"' && { logged=1; break; }; sleep 0.1; done
((logged)) || { dump_logs "$GW"; fail "the gateway logged no FolderSync request of the simulated phone"; }
code=$(curl -s -m 2 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$gw_port/readyz")
[[ $code == 200 ]] || { dump_logs "$GW"; fail "/readyz answered $code after traffic, not 200"; }
log "simulate exited 0; the gateway logged the requests; /readyz 200"
lap device-request "$t"

# ---------------------------------------------------------------- 7. HEALTHCHECK
t=$(now)
podman healthcheck run "$GW" 2> >(quiet_systemd) >/dev/null || fail "the image's HEALTHCHECK did not pass"
log "HEALTHCHECK: $(podman inspect -f '{{.State.Health.Status}}' "$GW" 2>/dev/null || echo passed)"
lap healthcheck "$t"

# ---------------------------------------------------------------- 8. non-root
pid1=$(podman exec "$GW" sh -c 'tr "\0" " " </proc/1/cmdline; echo; awk "/^Uid:/{print \$2}" /proc/1/status' 2> >(quiet_systemd)) \
  || fail "podman exec into the gateway"
cmdline=$(sed -n 1p <<<"$pid1"); uid=$(sed -n 2p <<<"$pid1")
[[ $cmdline == node\ dist/cli/easgate.js\ serve* ]] || fail "PID 1 of the gateway is '$cmdline', not node (SIGTERM would not reach it directly)"
[[ -n $uid && $uid != 0 ]] || fail "the gateway runs as uid '$uid'"
log "PID 1 is '$cmdline' as uid $uid"

# ---------------------------------------------------------------- 9. SIGTERM
t=$(now)
podman kill --signal TERM "$GW" >/dev/null 2> >(quiet_systemd) || fail "podman kill --signal TERM"
for _ in $(seq 1 $((STOP_TIMEOUT * 10))); do running "$GW" || break; sleep 0.1; done
running "$GW" && fail "the gateway was still running ${STOP_TIMEOUT} s after SIGTERM"
exit_code=$(podman inspect -f '{{.State.ExitCode}}' "$GW")
[[ $exit_code == 0 ]] || { dump_logs "$GW"; fail "the gateway exited $exit_code after SIGTERM, not 0"; }
log "SIGTERM: the gateway drained and exited 0"
lap sigterm "$t"

cleanup
trap - EXIT
lap TOTAL "$T0"
echo "PASS: $IMAGE builds, serves a device through the sample upstream, passes its HEALTHCHECK, runs as uid $uid and stops cleanly on SIGTERM"

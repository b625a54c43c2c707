#!/usr/bin/env bash
# scripts/fresh-machine-check.sh - run the README's test command (`npm ci && npm test`) in a
# fresh Debian 12 chroot that has nothing but Node.js 20 (copied from this machine), root and
# the package mirror, as a new contributor's machine would. See docs/testing.md.
#
#   sudo scripts/fresh-machine-check.sh            # clone of HEAD into a new chroot, run, remove it
#   KEEP=1 sudo scripts/fresh-machine-check.sh     # keep the chroot (ROOTFS) afterwards
#
# Knobs: ROOTFS (default /var/tmp/easgate-fresh), MIRROR (default: the first deb URI of
# /etc/apt/sources.list.d/debian.sources, else http://deb.debian.org/debian), LOG (the run's
# output, default $ROOTFS.log). Needs root, debootstrap (installed when missing) and this
# machine's SOGo stopped (the chroot shares the network: its SOGo takes the same ports).
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "must run as root (debootstrap, chroot, mounts)" >&2; exit 1; }
REPO=$(cd "$(dirname "$0")/.." && pwd)
ROOTFS=${ROOTFS:-/var/tmp/easgate-fresh}
LOG=${LOG:-$ROOTFS.log}
MIRROR=${MIRROR:-$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
log() { printf '[fresh %s] %s\n' "$(date +%H:%M:%S)" "$*"; }

if (exec 3<>/dev/tcp/127.0.0.1/20000) 2>/dev/null; then
  echo "a SOGo answers on 127.0.0.1:20000: stop it first (test/e2e/sogo/stop.sh); the chroot's own takes the same ports" >&2
  exit 1
fi
command -v debootstrap >/dev/null || { apt-get update -qq && apt-get install -y -qq debootstrap >/dev/null; }

mounted=()
cleanup() {
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount -l "${mounted[$i]}" 2>/dev/null || true; done
  [ "${KEEP:-}" = 1 ] || rm -rf "$ROOTFS"
}
trap cleanup EXIT

rm -rf "$ROOTFS"
log "debootstrap bookworm (minbase) from $MIRROR into $ROOTFS"
debootstrap --variant=minbase bookworm "$ROOTFS" "$MIRROR" >"$LOG.debootstrap" 2>&1 || { tail -20 "$LOG.debootstrap"; exit 1; }
cp /etc/apt/sources.list.d/debian.sources "$ROOTFS/etc/apt/sources.list.d/" 2>/dev/null || true

log "Node.js $(node --version) and npm from this machine; the CA bundle (package registries may sit behind a TLS proxy)"
cp "$(command -v node)" "$ROOTFS/usr/bin/node"
npm_dir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
mkdir -p "$ROOTFS/usr/lib/node_modules"
cp -a "$npm_dir" "$ROOTFS/usr/lib/node_modules/npm"
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$ROOTFS/usr/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$ROOTFS/usr/bin/npx"
mkdir -p "$ROOTFS/etc/ssl/certs"
cp /etc/ssl/certs/ca-certificates.crt "$ROOTFS/etc/ssl/certs/ca-certificates.crt"
cp /etc/resolv.conf "$ROOTFS/etc/resolv.conf"

log "a clone of $(git -C "$REPO" rev-parse --short HEAD)"
git clone -q "$REPO" "$ROOTFS/root/easgate"

for m in proc sys dev dev/pts; do
  mount --bind "/$m" "$ROOTFS/$m"; mounted+=("$ROOTFS/$m")
done
mount -t tmpfs tmpfs "$ROOTFS/dev/shm"; mounted+=("$ROOTFS/dev/shm")

log "chroot: npm ci && npm test (output in $LOG)"
set +e
chroot "$ROOTFS" /usr/bin/env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
  NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt npm_config_cafile=/etc/ssl/certs/ca-certificates.crt \
  bash -c 'cd /root/easgate && npm ci --no-audit --no-fund && npm test' >"$LOG" 2>&1
status=$?
set -e
sed 's/\x1b\[[0-9;]*m//g' "$LOG" | grep -E '^ *(Tests|Test Files|Duration) |EBADENGINE|process leak|\[test-env\]' || true
left=$(ps -eo pid=,args= | awk -v r="$ROOTFS" '{ cmd = "readlink /proc/" $1 "/root"; cmd | getline root; close(cmd); if (root == r) print }')
[ -z "$left" ] || { log "processes still running in the chroot:"; echo "$left"; status=1; }
log "npm test exited $status"
exit $status

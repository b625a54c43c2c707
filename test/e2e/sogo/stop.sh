#!/bin/bash
# stop.sh - stop the daemons started by setup.sh (the SOGo rig of the end-to-end
# suite, docs/sogo.md), using their PID files only.
# (Never kills by name.) Data (database, maildirs, configs) is kept;
# run setup.sh again to bring everything back.
set -u
RUN=${SOGO_BASE:-/tmp/sogo}/run
PGVER=15
PGCLUSTER=sogotest
DOVECOT_BASE=/run/dovecot-sogotest

log() { printf '[stop %s] %s\n' "$(date +%H:%M:%S)" "$*"; }

stop_pidfile() { # name pidfile timeout_s
  local name=$1 pf=$2 t=$3 pid
  if [ ! -s "$pf" ]; then log "$name: no pid file ($pf)"; return 0; fi
  pid=$(head -n1 "$pf" | tr -d ' ')
  if ! kill -0 "$pid" 2>/dev/null; then log "$name: pid $pid not running"; rm -f "$pf"; return 0; fi
  log "$name: TERM $pid"
  kill -TERM "$pid"
  for _ in $(seq 1 $((t * 4))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  if kill -0 "$pid" 2>/dev/null; then log "$name: still alive after ${t}s, KILL $pid"; kill -KILL "$pid"; fi
  rm -f "$pf"
}

# sogod: the master (watchdog) pid; it terminates its worker children itself
stop_pidfile sogod $RUN/sogo/sogo.pid 40
# dovecot master
stop_pidfile dovecot $DOVECOT_BASE/master.pid 15
# postfix master (it stops its own smtpd/qmgr/... children)
stop_pidfile postfix /var/spool/postfix/pid/master.pid 15
# memcached
stop_pidfile memcached $RUN/memcached/memcached.pid 10
# postgresql: pg_ctlcluster uses the cluster's own postmaster.pid
if pg_lsclusters -h 2>/dev/null | awk -v v=$PGVER -v c=$PGCLUSTER '$1==v && $2==c {print $4}' | grep -q online; then
  log "postgresql $PGVER/$PGCLUSTER: stopping"
  pg_ctlcluster $PGVER $PGCLUSTER stop -m fast
else
  log "postgresql $PGVER/$PGCLUSTER: not running"
fi
rm -f $RUN/sogod.pid $RUN/dovecot.pid $RUN/memcached.pid $RUN/postgresql.pid $RUN/postfix.pid
log "done"

#!/bin/bash
# setup.sh - bring up a real SOGo ActiveSync (EAS) server on loopback only, for
# easgate's end-to-end suite (test/e2e). See docs/sogo.md.
#
# Idempotent and non-interactive. Needs root and Debian 12 (bookworm) with
# access to the Debian package mirror only. No systemd needed: every daemon
# is started by hand and its PID file recorded under $RUN (see stop.sh).
# About 40 s on a fresh machine, about 3 s when everything is already up.
#
#   EAS URL : http://127.0.0.1:20000/SOGo/Microsoft-Server-ActiveSync
#   users   : alice / alice123           (alice@example.test)
#             bob   / bob123             (bob@example.test)
#             carol / tr0ub4dor&3        (carol@example.test)  e2e: the conversation
#             dave  / S3cret-Pa55word!   (dave@example.test)   e2e: push
#
# Components (all bound to 127.0.0.1):
#   postgresql 15, own cluster "sogotest" 127.0.0.1:5433 (db sogo, role sogo/sogopw);
#                                 Debian's default cluster "main" is left alone
#   memcached                     127.0.0.1:11211
#   dovecot imap + lmtp           127.0.0.1:143, 127.0.0.1:24 (maildirs in /var/vmail)
#   postfix smtp (for SendMail)   127.0.0.1:25    (example.test -> dovecot lmtp; nothing leaves)
#   sogod (+ActiveSync bundle)    127.0.0.1:20000
# Environment: SOGO_BASE (pid files and logs, default /tmp/sogo), SOGO_WORKERS (sogod
# workers, default 10: each held Ping or Sync occupies one), SOGO_EAS_DEBUG=YES.
set -euo pipefail

BASE=${SOGO_BASE:-/tmp/sogo}
RUN=$BASE/run
LOG=$BASE/log
PGVER=15
PGCLUSTER=sogotest
PGPORT=5433
DB_PASS=sogopw
DOMAIN=example.test
DOVECOT_CONF=/etc/dovecot/sogotest.conf
DOVECOT_USERS=/etc/dovecot/sogotest-users
DOVECOT_BASE=/run/dovecot-sogotest
EAS_URL=http://127.0.0.1:20000/SOGo/Microsoft-Server-ActiveSync
PKGS="sogo sogo-activesync tmpreaper memcached postgresql dovecot-imapd dovecot-lmtpd postfix curl ca-certificates"
# uid:password:name, one per line (the e2e suite's passwords are among the ones the
# log-redaction check of the test suite looks for)
USERS='alice:alice123:Alice Example
bob:bob123:Bob Example
carol:tr0ub4dor&3:Carol Example
dave:S3cret-Pa55word!:Dave Example'


log() { printf '[setup %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
[ "$(id -u)" = 0 ] || { echo "must run as root" >&2; exit 1; }
T0=$(date +%s)
export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8

# ---------------------------------------------------------------- packages
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
  log "installing:$missing"
  # keep package maintainer scripts from starting daemons on 0.0.0.0 (no
  # systemd here -> invoke-rc.d would run the sysv scripts); we start them ourselves.
  created_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod 755 /usr/sbin/policy-rc.d; created_policy=1
  fi
  apt-get update -qq
  # "tmpreaper" satisfies sogo's "systemd | tmpreaper" dependency without pulling systemd
  apt-get install -y -qq --no-install-recommends $PKGS >/dev/null
  [ "$created_policy" = 1 ] && rm -f /usr/sbin/policy-rc.d
else
  log "packages already installed"
fi

mkdir -p $RUN $LOG
chmod 755 $BASE $RUN $LOG

is_running() { [ -s "$1" ] && kill -0 "$(head -n1 "$1" | tr -d ' ')" 2>/dev/null; }
wait_port() { # host port seconds
  for _ in $(seq 1 "$3"); do (exec 3<>/dev/tcp/$1/$2) 2>/dev/null && return 0; sleep 1; done; return 1; }

# ---------------------------------------------------------------- postgresql
if ! pg_lsclusters -h | awk '{print $1"/"$2}' | grep -qx "$PGVER/$PGCLUSTER"; then
  log "creating postgresql cluster $PGVER/$PGCLUSTER on port $PGPORT"
  pg_createcluster --start-conf=manual -p $PGPORT $PGVER $PGCLUSTER >/dev/null
fi
PGCONF=/etc/postgresql/$PGVER/$PGCLUSTER
cat > $PGCONF/conf.d/sogotest.conf <<EOF
listen_addresses = '127.0.0.1'
port = $PGPORT
EOF
PGPID=/var/lib/postgresql/$PGVER/$PGCLUSTER/postmaster.pid
if pg_lsclusters -h | awk -v v=$PGVER -v c=$PGCLUSTER '$1==v && $2==c {print $4}' | grep -q online; then
  log "postgresql already running"
else
  log "starting postgresql"
  pg_ctlcluster $PGVER $PGCLUSTER start </dev/null
fi
ln -sfn $PGPID $RUN/postgresql.pid   # informational; stop.sh uses pg_ctlcluster
wait_port 127.0.0.1 $PGPORT 30 || { log "postgresql did not come up"; exit 1; }

psql_root() { su postgres -s /bin/sh -c "psql -p $PGPORT -v ON_ERROR_STOP=1 -qtA $*"; }
if [ "$(psql_root "-c \"SELECT 1 FROM pg_roles WHERE rolname='sogo'\"")" != 1 ]; then
  log "creating role sogo"
  psql_root "-c \"CREATE ROLE sogo LOGIN PASSWORD '$DB_PASS'\""
fi
psql_root "-c \"ALTER ROLE sogo PASSWORD '$DB_PASS'\"" >/dev/null
if [ "$(psql_root "-c \"SELECT 1 FROM pg_database WHERE datname='sogo'\"")" != 1 ]; then
  log "creating database sogo"
  su postgres -s /bin/sh -c "createdb -p $PGPORT -O sogo sogo"
fi
# SQL user source for SOGo (plain-text passwords: test setup only)
export PGPASSWORD=$DB_PASS
export PGOPTIONS="-c client_min_messages=warning"
PSQL="psql -h 127.0.0.1 -p $PGPORT -U sogo -d sogo -v ON_ERROR_STOP=1 -qtA"
$PSQL -c "CREATE TABLE IF NOT EXISTS sogo_users (
  c_uid varchar(128) PRIMARY KEY, c_name varchar(128) NOT NULL,
  c_password varchar(256) NOT NULL, c_cn varchar(256), mail varchar(256));"
while IFS=: read -r uid pw cn; do
  [ -n "$uid" ] || continue
  $PSQL -c "INSERT INTO sogo_users VALUES ('$uid','$uid','$pw','$cn','$uid@$DOMAIN')
            ON CONFLICT (c_uid) DO UPDATE SET c_password=EXCLUDED.c_password, c_cn=EXCLUDED.c_cn, mail=EXCLUDED.mail;"
done <<< "$USERS"
unset PGPASSWORD PGOPTIONS

# ---------------------------------------------------------------- memcached
# memcached drops privileges before writing its pid file (tmp file + rename),
# so the pid file lives in a directory owned by memcache
mkdir -p $RUN/memcached; chown memcache $RUN/memcached
if is_running $RUN/memcached/memcached.pid; then
  log "memcached already running"
else
  log "starting memcached"
  rm -f $RUN/memcached/memcached.pid
  memcached -d -l 127.0.0.1 -p 11211 -U 0 -m 64 -c 1024 -u memcache -P $RUN/memcached/memcached.pid \
    </dev/null >>$LOG/memcached.log 2>&1
fi
for _ in $(seq 1 20); do [ -s $RUN/memcached/memcached.pid ] && break; sleep 0.25; done
ln -sf $RUN/memcached/memcached.pid $RUN/memcached.pid
wait_port 127.0.0.1 11211 15 || { log "memcached did not come up"; exit 1; }

# ---------------------------------------------------------------- dovecot
getent group vmail >/dev/null || groupadd --system vmail
getent passwd vmail >/dev/null || useradd --system -g vmail -d /var/vmail -s /usr/sbin/nologin vmail
mkdir -p /var/vmail; chown vmail:vmail /var/vmail; chmod 770 /var/vmail
: > $DOVECOT_USERS.new
while IFS=: read -r uid pw cn; do
  [ -n "$uid" ] && echo "$uid:{PLAIN}$pw::::::" >> $DOVECOT_USERS.new
done <<< "$USERS"
mv $DOVECOT_USERS.new $DOVECOT_USERS; chown root:dovecot $DOVECOT_USERS; chmod 640 $DOVECOT_USERS
cat > $DOVECOT_CONF.new <<EOF
# standalone dovecot config for the SOGo EAS test rig (not Debian's dovecot.conf)
protocols = imap lmtp
listen = 127.0.0.1
base_dir = $DOVECOT_BASE
instance_name = dovecot-sogotest
log_path = $LOG/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:/var/vmail/%n/Maildir
mail_uid = vmail
mail_gid = vmail
first_valid_uid = 1
mail_privileged_group = vmail
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%n $DOVECOT_USERS
}
userdb {
  driver = static
  args = uid=vmail gid=vmail home=/var/vmail/%n
}
namespace inbox {
  inbox = yes
  separator = /
  mailbox Drafts {
    special_use = \Drafts
    auto = subscribe
  }
  mailbox Sent {
    special_use = \Sent
    auto = subscribe
  }
  mailbox Trash {
    special_use = \Trash
    auto = subscribe
  }
  mailbox Junk {
    special_use = \Junk
    auto = subscribe
  }
  mailbox Templates {
    auto = subscribe
  }
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = 143
  }
  inet_listener imaps {
    port = 0
  }
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = 24
  }
}
protocol imap {
  imap_max_line_length = 2M
}
protocol lmtp {
  postmaster_address = postmaster@$DOMAIN
}
protocol lda {
  postmaster_address = postmaster@$DOMAIN
}
EOF
DOVECOT_CHANGED=0
cmp -s $DOVECOT_CONF.new $DOVECOT_CONF || { mv $DOVECOT_CONF.new $DOVECOT_CONF; DOVECOT_CHANGED=1; }
rm -f $DOVECOT_CONF.new
if is_running $DOVECOT_BASE/master.pid; then
  if [ $DOVECOT_CHANGED = 1 ]; then log "dovecot running, config changed: reloading"; doveadm -c $DOVECOT_CONF reload || true
  else log "dovecot already running"; fi
else
  log "starting dovecot"
  # (daemons must not keep our stdout/stderr open, or "./setup.sh | tee" never ends)
  dovecot -c $DOVECOT_CONF </dev/null >/dev/null 2>>$LOG/dovecot.log
fi
for _ in $(seq 1 20); do [ -s $DOVECOT_BASE/master.pid ] && break; sleep 0.5; done
ln -sf $DOVECOT_BASE/master.pid $RUN/dovecot.pid
wait_port 127.0.0.1 143 15 || { log "dovecot did not come up"; exit 1; }
# Make sure INBOX + special folders exist, and switch on CONDSTORE mod-sequence
# tracking in every mailbox. SOGo's EAS mail sync keys are "<uidnext>-<highestmodseq>"
# taken from the SELECT response; Dovecot only reports HIGHESTMODSEQ once a mailbox
# has had modseqs enabled (by a CONDSTORE/QRESYNC client). On a never-touched
# mailbox SOGo's tag is "-1", equal to the initial SyncKey "-1", so the first real
# Sync returns "no changes" forever. Bumping min-highest-modseq enables tracking
# permanently for that mailbox (run again for folders created later).
prime_modseq() { # user
  local mb
  doveadm -c $DOVECOT_CONF mailbox status -u "$1" messages INBOX >/dev/null
  doveadm -c $DOVECOT_CONF mailbox list -u "$1" | while IFS= read -r mb; do
    doveadm -c $DOVECOT_CONF mailbox update -u "$1" --min-highest-modseq 2 "$mb"
  done
}
while IFS=: read -r uid pw cn; do
  [ -n "$uid" ] && prime_modseq "$uid"
done <<< "$USERS"

# ---------------------------------------------------------------- postfix
# loopback-only MTA so that EAS SendMail/SmartReply/SmartForward work: mail for
# @$DOMAIN goes to dovecot's LMTP, anything else bounces at once (no relaying).
PF_SUM0=$(cat /etc/postfix/main.cf /etc/postfix/master.cf | md5sum)
postconf -e \
  "myhostname = mail.$DOMAIN" "mydomain = $DOMAIN" "myorigin = $DOMAIN" \
  "inet_interfaces = 127.0.0.1" "inet_protocols = ipv4" \
  "mydestination = localhost" "mynetworks = 127.0.0.0/8" \
  "virtual_mailbox_domains = $DOMAIN" "virtual_transport = lmtp:inet:127.0.0.1:24" \
  "default_transport = error:outbound mail disabled in the EAS test rig" \
  "relay_transport = error:outbound mail disabled in the EAS test rig" \
  "smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination" \
  "maillog_file_prefixes = /var, /dev/stdout, $LOG" "maillog_file = $LOG/postfix.log" \
  "compatibility_level = 3.6" \
  "smtputf8_enable = no"
# no chroot (nothing to copy into /var/spool/postfix); only touch master.cf if
# needed, "postconf -F" reorders its lines on every call
postconf -F '*/*/chroot' | grep -qv '= n$' && postconf -F '*/*/chroot = n'
true
echo "mail.$DOMAIN" > /etc/mailname
[ -f /etc/aliases.db ] || newaliases
POSTFIX_PID=/var/spool/postfix/pid/master.pid
if is_running $POSTFIX_PID; then
  if [ "$PF_SUM0" != "$(cat /etc/postfix/main.cf /etc/postfix/master.cf | md5sum)" ]; then
    log "postfix running, config changed: reloading"; postfix reload >/dev/null 2>&1 || true
  else log "postfix already running"; fi
else
  log "starting postfix"
  postfix start </dev/null >/dev/null 2>&1 || { postfix check; postfix start </dev/null >/dev/null; }
fi
ln -sf $POSTFIX_PID $RUN/postfix.pid
wait_port 127.0.0.1 25 15 || { log "postfix did not come up"; exit 1; }

# ---------------------------------------------------------------- sogo
cat > /etc/sogo/sogo.conf.new <<EOF
{
  /* generated by setup.sh - SOGo + ActiveSync test rig, loopback only */
  WOPort = "127.0.0.1:20000";
  WOWorkersCount = ${SOGO_WORKERS:-10};   /* SOGO_WORKERS=N ./setup.sh: each Ping/Sync long-poll holds one worker */
  WOWatchDogRequestTimeout = 10;

  SOGoProfileURL = "postgresql://sogo:$DB_PASS@127.0.0.1:$PGPORT/sogo/sogo_user_profile";
  OCSFolderInfoURL = "postgresql://sogo:$DB_PASS@127.0.0.1:$PGPORT/sogo/sogo_folder_info";
  OCSSessionsFolderURL = "postgresql://sogo:$DB_PASS@127.0.0.1:$PGPORT/sogo/sogo_sessions_folder";
  OCSStoreURL = "postgresql://sogo:$DB_PASS@127.0.0.1:$PGPORT/sogo/sogo_store";
  OCSAclURL = "postgresql://sogo:$DB_PASS@127.0.0.1:$PGPORT/sogo/sogo_acl";
  OCSCacheFolderURL = "postgresql://sogo:$DB_PASS@127.0.0.1:$PGPORT/sogo/sogo_cache_folder";
  OCSEMailAlarmsFolderURL = "postgresql://sogo:$DB_PASS@127.0.0.1:$PGPORT/sogo/sogo_alarms_folder";
  SOGoEnableEMailAlarms = NO;

  SOGoUserSources = (
    {
      type = sql;
      id = users;
      viewURL = "postgresql://sogo:$DB_PASS@127.0.0.1:$PGPORT/sogo/sogo_users";
      canAuthenticate = YES;
      isAddressBook = YES;
      listRequiresDot = NO;
      displayName = "Test users";
      userPasswordAlgorithm = plain;
    }
  );

  SOGoMailDomain = $DOMAIN;
  SOGoIMAPServer = "imap://127.0.0.1:143";
  NGImap4ConnectionStringSeparator = "/";
  SOGoIMAPAclConformsToIMAPExt = YES;
  SOGoMailingMechanism = smtp;
  SOGoSMTPServer = "smtp://127.0.0.1:25";
  SOGoSentFolderName = Sent;
  SOGoTrashFolderName = Trash;
  SOGoDraftsFolderName = Drafts;
  SOGoJunkFolderName = Junk;
  SOGoSieveScriptsEnabled = NO;
  SOGoVacationEnabled = NO;
  SOGoForwardEnabled = NO;
  SOGoMailAuxiliaryUserAccountsEnabled = NO;
  SOGoAppointmentSendEMailNotifications = NO;
  SOGoPasswordChangeEnabled = NO;
  SOGoMemcachedHost = "127.0.0.1";

  SOGoLanguage = English;
  SOGoTimeZone = UTC;
  SOGoFirstDayOfWeek = 1;

  /* ActiveSync */
  SOGoMaximumPingInterval = 300;
  SOGoMaximumSyncInterval = 300;
  SOGoInternalSyncInterval = 5;
  SOGoMaximumSyncWindowSize = 100;
  SOGoEASDebugEnabled = ${SOGO_EAS_DEBUG:-NO};   /* SOGO_EAS_DEBUG=YES ./setup.sh to log every EAS request/response */
}
EOF
if ! cmp -s /etc/sogo/sogo.conf.new /etc/sogo/sogo.conf; then
  [ -e /etc/sogo/sogo.conf.dist ] || cp -p /etc/sogo/sogo.conf /etc/sogo/sogo.conf.dist
  cat /etc/sogo/sogo.conf.new > /etc/sogo/sogo.conf
  SOGO_CONF_CHANGED=1
fi
rm -f /etc/sogo/sogo.conf.new
chown root:sogo /etc/sogo/sogo.conf; chmod 640 /etc/sogo/sogo.conf

# sogo's home is /run/sogo (normally a systemd RuntimeDirectory); GNUstep needs it
mkdir -p /run/sogo $RUN/sogo /var/spool/sogo
chown sogo:sogo /run/sogo $RUN/sogo /var/spool/sogo
touch $LOG/sogo.log; chown sogo:sogo $LOG/sogo.log
if is_running $RUN/sogo/sogo.pid && [ "${SOGO_CONF_CHANGED:-0}" = 1 ]; then
  log "sogo.conf changed: restarting sogod"
  oldpid=$(head -n1 $RUN/sogo/sogo.pid)
  kill "$oldpid"
  # wait for the old master itself (it removes its pid file only on final exit)
  # (sogod's workers take ~20 s to exit after SIGTERM)
  for _ in $(seq 1 90); do kill -0 "$oldpid" 2>/dev/null || break; sleep 0.5; done
  kill -0 "$oldpid" 2>/dev/null && { log "sogod $oldpid still alive, KILL"; kill -KILL "$oldpid"; sleep 1; }
  rm -f $RUN/sogo/sogo.pid
fi
if is_running $RUN/sogo/sogo.pid; then
  log "sogod already running"
else
  log "starting sogod"
  rm -f $RUN/sogo/sogo.pid
  start-stop-daemon --start --quiet --chuid sogo:sogo --chdir /run/sogo \
    --pidfile $RUN/sogo/sogo.pid --exec /usr/sbin/sogod -- \
    -WOWorkersCount ${SOGO_WORKERS:-10} -WOPidFile $RUN/sogo/sogo.pid -WOLogFile $LOG/sogo.log \
    </dev/null >/dev/null 2>>$LOG/sogo.log
fi
ln -sf $RUN/sogo/sogo.pid $RUN/sogod.pid

# ---------------------------------------------------------------- wait for EAS
log "waiting for $EAS_URL"
ok=0
for _ in $(seq 1 90); do
  code=$(curl -s -o /dev/null -w '%{http_code}' -X OPTIONS -u alice:alice123 "$EAS_URL" || true)
  if [ "$code" = 200 ]; then ok=1; break; fi
  sleep 1
done
if [ $ok = 1 ]; then
  log "EAS endpoint answers OPTIONS 200:"
  curl -s -D - -o /dev/null -X OPTIONS -u alice:alice123 "$EAS_URL" | grep -i '^MS-AS' | sed 's/^/    /'
  log "done in $(( $(date +%s) - T0 ))s"
else
  log "EAS endpoint did not answer 200 (last code: $code); see $LOG/sogo.log"; exit 1
fi

#!/bin/sh
# Pylon agent installer for Proxmox VE hosts (POSIX sh).
#
#   curl -fsSL https://pylon.example.com/install/agent.sh | sh -s -- --url https://pylon.example.com --token ENROLLMENT_TOKEN
#   sh agent.sh --uninstall
#
# Options: --url URL --token T (enrollment, or PYLON_ENROLL_TOKEN) [--ca-file PEM] [--node-name NAME]
#          [--pve-token-id USER@REALM!ID --pve-token-secret SECRET (or PYLON_PVE_TOKEN_SECRET)]
#          [--caddy] [--uninstall]
# It downloads one self-contained file ({url}/install/agent.mjs), needs Debian's nodejs >= 18,
# creates a PVE API token (user pylon@pve, token "agent", role PylonAgent on /, with the
# privileges below for this host's PVE 8 or 9) unless one is given, enrolls, and starts the
# pylon-agent systemd unit.
# --caddy: installs Debian's caddy if missing and runs it as caddy-api.service (admin API on
#   localhost:2019, `caddy run --resume` keeps the routes the agent posts across restarts) in
#   place of caddy.service (which reloads the Caddyfile and so drops them).
# --uninstall removes everything it added and undoes --caddy (caddy purged only if it installed it).
# PYLON_ROOT (tests only) prefixes every path it writes.
set -eu

ROOT="${PYLON_ROOT:-}"
ETC_DIR="$ROOT/etc/pylon"
STATE_DIR="$ROOT/var/lib/pylon-agent"
LIB_DIR="$ROOT/usr/local/lib/pylon-agent"
UNIT="$ROOT/etc/systemd/system/pylon-agent.service"
MARKER="$ETC_DIR/installed.env"
PVE_USER="pylon@pve"
PVE_TOKEN_NAME="agent"
PVE_ROLE="PylonAgent"
# The privileges of role PylonAgent (on /, propagated), no more than the agent's jobs need.
# Re-running the installer updates the role in place. privileges.test.ts runs every job with a
# token holding exactly these against the simulator, and drops each in turn to see a job fail.
#   Sys.Audit                  GET /nodes/{node}/status (node.inventory, metrics)
#   VM.Audit                   guest status, config, CT interfaces, snapshot list, guest lists
#   VM.Allocate                CT create, guest destroy, the new id of a clone, nesting=1 on a CT
#   VM.Clone                   VM from the cloud-init template, clone mode
#   VM.Config.CPU              cores (create, clone, resize)
#   VM.Config.Memory           memory (create, clone, resize)
#   VM.Config.Disk             CT rootfs, disk resize
#   VM.Config.Network          net0, CT hostname, and VM ciuser, sshkeys, ipconfig0 (cloud-init
#                              options take VM.Config.Cloudinit or this, so not the former)
#   VM.Config.Options          onboot, unprivileged, VM agent=enabled=1
#   VM.PowerMgmt               start, stop, reboot
#   VM.Snapshot                snapshots before redeploy and clone, their rollback and delete
#                              (rollback takes VM.Snapshot or VM.Snapshot.Rollback, so not the latter)
#   VM.Backup                  vzdump; pruning (per guest: Datastore.Allocate not needed), protecting
#                              and deleting an app's backups (hidden from listings without it)
#   Datastore.AllocateSpace    disks on create, clone, resize and backup; also lets the agent list
#                              storages and their content (so Datastore.Audit is not needed)
#   Datastore.AllocateTemplate downloading the debian-12 CT template (aplinfo)
#   SDN.Use                    using the bridge (vmbr0) of a guest's NIC, checked since PVE 8.0
#   VM.Monitor                 PVE 8 only: VM guest agent network-get-interfaces (the VM's address)
#   VM.GuestAgent.Audit        PVE 9 only: the same call (PVE 9 removed VM.Monitor)
# pveum refuses privileges it does not know, so each version gets only its own.
PVE_PRIVS_COMMON="Sys.Audit,VM.Audit,VM.Allocate,VM.Clone,VM.Config.CPU,VM.Config.Memory,VM.Config.Disk,VM.Config.Network,VM.Config.Options,VM.PowerMgmt,VM.Snapshot,VM.Backup,Datastore.AllocateSpace,Datastore.AllocateTemplate,SDN.Use"
PVE_PRIVS_8="$PVE_PRIVS_COMMON,VM.Monitor"
PVE_PRIVS_9="$PVE_PRIVS_COMMON,VM.GuestAgent.Audit"

URL=""
TOKEN="${PYLON_ENROLL_TOKEN:-}"
CA_FILE=""
NODE_NAME=""
PVE_TOKEN_ID=""
PVE_TOKEN_SECRET="${PYLON_PVE_TOKEN_SECRET:-}"
CADDY=0
UNINSTALL=0

say() { printf 'pylon-agent: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

need_value() {
  [ $# -ge 2 ] || die "$1 needs a value"
}

while [ $# -gt 0 ]; do
  case "$1" in
    --url) need_value "$@"; URL="$2"; shift 2 ;;
    --url=*) URL="${1#*=}"; shift ;;
    --token) need_value "$@"; TOKEN="$2"; shift 2 ;;
    --token=*) TOKEN="${1#*=}"; shift ;;
    --ca-file) need_value "$@"; CA_FILE="$2"; shift 2 ;;
    --ca-file=*) CA_FILE="${1#*=}"; shift ;;
    --node-name) need_value "$@"; NODE_NAME="$2"; shift 2 ;;
    --node-name=*) NODE_NAME="${1#*=}"; shift ;;
    --pve-token-id) need_value "$@"; PVE_TOKEN_ID="$2"; shift 2 ;;
    --pve-token-id=*) PVE_TOKEN_ID="${1#*=}"; shift ;;
    --pve-token-secret) need_value "$@"; PVE_TOKEN_SECRET="$2"; shift 2 ;;
    --pve-token-secret=*) PVE_TOKEN_SECRET="${1#*=}"; shift ;;
    --caddy) CADDY=1; shift ;;
    --uninstall) UNINSTALL=1; shift ;;
    -h|--help) sed -n '2,19p' "$0" 2>/dev/null || true; exit 0 ;;
    *) die "unknown option: $1" ;;
  esac
done

if [ -z "$ROOT" ] && [ "$(id -u)" != "0" ]; then
  die "run as root (the agent needs root for pct exec; the installer writes /etc and systemd units)"
fi

marker_has() {
  [ -f "$MARKER" ] && grep -qx "$1" "$MARKER"
}

remember() {
  marker_has "$1" || printf '%s\n' "$1" >>"$MARKER"
}

uninstall() {
  say "removing the Pylon agent"
  systemctl disable --now pylon-agent.service >/dev/null 2>&1 || true
  rm -f "$UNIT"
  systemctl daemon-reload || true
  if marker_has "pve_token=created"; then
    pveum user token remove "$PVE_USER" "$PVE_TOKEN_NAME" || say "could not remove PVE token $PVE_USER!$PVE_TOKEN_NAME"
  fi
  if marker_has "pve_user=created"; then
    pveum user delete "$PVE_USER" || say "could not remove PVE user $PVE_USER"
  fi
  if marker_has "pve_role=created"; then
    pveum role delete "$PVE_ROLE" || say "could not remove PVE role $PVE_ROLE"
  fi
  if marker_has "caddy_api=enabled"; then
    systemctl disable --now caddy-api.service || say "could not stop caddy-api.service"
    if ! marker_has "caddy=installed" && marker_has "caddy_service=was-enabled"; then
      systemctl enable --now caddy.service || say "could not start caddy.service again"
    fi
  fi
  if marker_has "caddy=installed"; then
    apt-get purge -y caddy || say "could not purge caddy"
  fi
  nodejs_added=0
  if marker_has "nodejs=installed"; then nodejs_added=1; fi
  rm -rf "$ETC_DIR" "$STATE_DIR" "$LIB_DIR"
  if [ "$nodejs_added" = 1 ]; then
    apt-get remove -y nodejs || say "could not remove nodejs"
  fi
  say "removed"
}

if [ "$UNINSTALL" = 1 ]; then
  uninstall
  exit 0
fi

case "$URL" in
  https://*|http://*) ;;
  "") die "--url is required (the control plane's address)" ;;
  *) die "--url must start with https:// (or http:// for a local test)" ;;
esac
URL="${URL%/}"
[ -n "$TOKEN" ] || die "--token is required (create the node in Pylon to get one)"
if [ -n "$PVE_TOKEN_ID" ] && [ -z "$PVE_TOKEN_SECRET" ]; then die "--pve-token-id needs --pve-token-secret"; fi
if [ -n "$CA_FILE" ] && [ ! -r "$CA_FILE" ]; then die "cannot read --ca-file $CA_FILE"; fi
case "$URL" in http://*) say "warning: $URL is not https; the credential travels in clear text" ;; esac

# The role's privileges for this host's major version (`pveversion`: pve-manager/8.4.5/...).
PVE_PRIVS=""
if [ -z "$PVE_TOKEN_ID" ]; then
  pve_version="$(pveversion 2>/dev/null | head -n 1)" || true
  case "$pve_version" in
    pve-manager/8.*) PVE_PRIVS="$PVE_PRIVS_8" ;;
    pve-manager/9.*) PVE_PRIVS="$PVE_PRIVS_9" ;;
    *) die "Proxmox VE 8 or 9 is required (pveversion says: ${pve_version:-nothing})" ;;
  esac
fi

mkdir -p "$ETC_DIR" "$STATE_DIR" "$LIB_DIR"
chmod 700 "$ETC_DIR" "$STATE_DIR"
touch "$MARKER"
chmod 600 "$MARKER"

node_major() {
  node -e 'process.stdout.write(process.versions.node.split(".")[0])' 2>/dev/null || echo 0
}

if ! command -v node >/dev/null 2>&1 || [ "$(node_major)" -lt 18 ]; then
  command -v apt-get >/dev/null 2>&1 || die "Node.js >= 18 is required and apt-get is not available"
  say "installing Debian's nodejs"
  had_node=0
  if command -v node >/dev/null 2>&1; then had_node=1; fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs
  if [ "$had_node" = 0 ]; then remember "nodejs=installed"; fi
  [ "$(node_major)" -ge 18 ] || die "Node.js >= 18 is required; found $(node --version 2>/dev/null || echo none)"
fi
NODE_BIN="$(command -v node)"

say "downloading the agent from $URL/install/agent.mjs"
if command -v curl >/dev/null 2>&1; then
  if [ -n "$CA_FILE" ]; then
    curl -fsSL --proto '=https,http' --cacert "$CA_FILE" -o "$LIB_DIR/agent.mjs.tmp" "$URL/install/agent.mjs"
  else
    curl -fsSL --proto '=https,http' -o "$LIB_DIR/agent.mjs.tmp" "$URL/install/agent.mjs"
  fi
elif command -v wget >/dev/null 2>&1; then
  if [ -n "$CA_FILE" ]; then
    wget -q --ca-certificate="$CA_FILE" -O "$LIB_DIR/agent.mjs.tmp" "$URL/install/agent.mjs"
  else
    wget -q -O "$LIB_DIR/agent.mjs.tmp" "$URL/install/agent.mjs"
  fi
else
  die "curl or wget is required"
fi
mv -f "$LIB_DIR/agent.mjs.tmp" "$LIB_DIR/agent.mjs"
chmod 644 "$LIB_DIR/agent.mjs"
"$NODE_BIN" "$LIB_DIR/agent.mjs" version >/dev/null || die "the downloaded agent does not run on $("$NODE_BIN" --version)"

if [ -n "$CA_FILE" ]; then
  cp "$CA_FILE" "$ETC_DIR/control-plane-ca.pem"
  chmod 644 "$ETC_DIR/control-plane-ca.pem"
fi

if [ -z "$PVE_TOKEN_ID" ]; then
  say "creating PVE API token $PVE_USER!$PVE_TOKEN_NAME (role $PVE_ROLE on /)"
  if ! pveum user list --output-format json | grep -q "\"userid\":\"$PVE_USER\""; then
    pveum user add "$PVE_USER" --comment "Pylon agent"
    remember "pve_user=created"
  fi
  if pveum role add "$PVE_ROLE" --privs "$PVE_PRIVS" 2>/dev/null; then
    remember "pve_role=created"
  else
    pveum role modify "$PVE_ROLE" --privs "$PVE_PRIVS"
  fi
  pveum acl modify / --users "$PVE_USER" --roles "$PVE_ROLE"
  # A re-install replaces the token: its secret is only shown once.
  pveum user token remove "$PVE_USER" "$PVE_TOKEN_NAME" >/dev/null 2>&1 || true
  token_json="$(pveum user token add "$PVE_USER" "$PVE_TOKEN_NAME" --privsep 0 --output-format json)"
  remember "pve_token=created"
  PVE_TOKEN_ID="$PVE_USER!$PVE_TOKEN_NAME"
  PVE_TOKEN_SECRET="$(printf '%s' "$token_json" | "$NODE_BIN" -e '
    let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
      const v = JSON.parse(s).value;
      if (typeof v !== "string") process.exit(1);
      process.stdout.write(v);
    });')" || die "pveum did not return a token secret"
fi

(umask 077 && printf '%s\n' "$PVE_TOKEN_SECRET" >"$ETC_DIR/pve-token")
chmod 600 "$ETC_DIR/pve-token"

say "enrolling with $URL"
set -- enroll --url "$URL" --config "$ETC_DIR/agent.json" --pve-token-id "$PVE_TOKEN_ID" --pve-token-secret-file pve-token
if [ -n "$CA_FILE" ]; then set -- "$@" --ca-file control-plane-ca.pem; fi
if [ -n "$NODE_NAME" ]; then set -- "$@" --node-name "$NODE_NAME"; fi
# The enrollment token goes through the environment, not argv (argv is visible in ps).
PYLON_AGENT_ENROLL_TOKEN="$TOKEN" "$NODE_BIN" "$LIB_DIR/agent.mjs" "$@" || die "enrollment failed (see the message above); the token may be used or expired"

# The same text as packages/agent/src/install/pylon-agent.service (a test keeps them equal),
# with this host's node in ExecStart.
sed "s#^ExecStart=/usr/bin/node #ExecStart=$NODE_BIN #" >"$UNIT" <<'UNIT_EOF'
# Pylon agent: one outbound WebSocket to the control plane; nothing on this host listens for Pylon.
# Installed by agent.sh (which writes this file with the host's node path in ExecStart).
[Unit]
Description=Pylon agent
Wants=network-online.target
After=network-online.target pve-cluster.service pveproxy.service

[Service]
Type=simple
ExecStart=/usr/bin/node /usr/local/lib/pylon-agent/agent.mjs run --config /etc/pylon/agent.json
# SIGTERM: stop taking offers, let running jobs reach a safe point (stopGraceMs, 20 s by default),
# close with 1000, flush the journal. Give it more than the grace before SIGKILL.
KillSignal=SIGTERM
TimeoutStopSec=45
Restart=always
RestartSec=5
Environment=NODE_ENV=production
# ws would try to load optional native helpers; the bundle ships none.
Environment=WS_NO_BUFFER_UTIL=1 WS_NO_UTF_8_VALIDATE=1

# Runs as root on purpose: `pct exec` (lxc-attach) must setns() into container namespaces and
# join their cgroups, which needs root with CAP_SYS_ADMIN, and /etc/pve is root's. So the
# hardening below narrows what root can write rather than dropping root:
# - ProtectSystem=strict: the whole tree is read-only for the agent (so it cannot rewrite
#   /usr, /etc, /etc/pve: guest config changes go through the PVE API, i.e. pvedaemon), except
#   its own state and config (rotation rewrites the credential) and the lock dirs pct/lxc use.
# - ProtectControlGroups, PrivateDevices, RestrictNamespaces, SystemCallFilter are NOT set:
#   lxc-attach writes cgroup.procs, opens /dev/pts and calls setns/unshare.
# - NoNewPrivileges=yes: nothing the agent runs needs setuid; AppArmor lets an unconfined
#   process under no_new_privs move into the container's (stricter) profile, which is what
#   lxc-attach does.
NoNewPrivileges=yes
ProtectSystem=strict
ReadWritePaths=/var/lib/pylon-agent /etc/pylon
ReadWritePaths=-/run/lock -/run/lxc -/var/lib/lxc
StateDirectory=pylon-agent
StateDirectoryMode=0700
PrivateTmp=yes
ProtectHome=yes
ProtectKernelModules=yes
ProtectClock=yes
ProtectHostname=yes
LockPersonality=yes
RestrictSUIDSGID=yes
UMask=0077
# The agent idles near 50 MB; a leak should restart it, not starve guests.
MemoryMax=256M

[Install]
WantedBy=multi-user.target
UNIT_EOF
chmod 644 "$UNIT"

if [ "$CADDY" = 1 ]; then
  if ! command -v caddy >/dev/null 2>&1; then
    command -v apt-get >/dev/null 2>&1 || die "--caddy: caddy is missing and apt-get is not available"
    say "installing Debian's caddy"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq caddy
    remember "caddy=installed"
  fi
  # caddy.service loads the Caddyfile on every (re)start and would drop the agent's routes;
  # caddy-api.service (same package) starts from the config last posted to its admin API.
  say "running Caddy as caddy-api.service (admin API on localhost:2019)"
  if systemctl is-enabled --quiet caddy.service 2>/dev/null; then remember "caddy_service=was-enabled"; fi
  # Recorded first, so --uninstall also undoes a switch that stopped half-way.
  remember "caddy_api=enabled"
  systemctl disable --now caddy.service || say "could not stop caddy.service"
  systemctl enable --now caddy-api.service || die "could not start caddy-api.service (it ships with Debian's caddy package)"
fi

systemctl daemon-reload
systemctl enable --now pylon-agent.service
say "installed; follow it with: journalctl -u pylon-agent -f"

#!/bin/sh
# Pylon agent installer for Proxmox VE hosts (POSIX sh).
#
#   curl -fsSL https://pylon.example.com/install/agent.sh | PYLON_ENROLL_TOKEN=… sh -s -- --url https://pylon.example.com
#   curl -fsSL https://pylon.example.com/install/agent.sh | sh -s -- --uninstall
#
# Options: --url URL [--insecure] [--ca-file PEM] [--node-name NAME]
#          the enrollment token: PYLON_ENROLL_TOKEN, --token-file FILE ("-": stdin, when this script
#          runs from a file), or --token T (visible to other users in ps while it runs)
#          [--pve-token-id USER@REALM!ID --pve-token-secret SECRET (or PYLON_PVE_TOKEN_SECRET)]
#          [--pve-url https://127.0.0.1:8006] [--pve-fingerprint SHA256 | --pve-server-name NAME]
#          [--caddy] [--uninstall]
# It needs Proxmox VE 8.2 or later and Debian's nodejs >= 18, downloads one self-contained file
# ({url}/install/agent.mjs) and checks it against the SHA-256 the control plane announces
# ({url}/install/agent.json), creates a PVE API token (user pylon@pve, token "agent", role
# PylonAgent on /, with the privileges below for this host's PVE 8 or 9) unless one is given,
# enrolls, and starts the pylon-agent systemd unit. An http:// URL is refused unless --insecure
# is given: the enrollment token and the agent's credential would cross the network in clear.
# The agent verifies the PVE API's certificate against /etc/pve/pve-root-ca.pem; a host with its
# own certificate (/etc/pve/local/pveproxy-ssl.pem) is verified by name against the public CAs
# when an ACME/public CA issued it, else by its pinned SHA-256 fingerprint (or as given).
# --caddy: installs Debian's caddy if missing and runs it as caddy-api.service (admin API on
#   localhost:2019, `caddy run --resume` keeps the routes the agent posts across restarts) in
#   place of caddy.service (which reloads the Caddyfile and so drops them).
# --uninstall removes everything it added and undoes --caddy (caddy purged only if it installed it).
# PYLON_ROOT (tests only) prefixes every path it writes.
set -eu
# The whole script is one group, read to its end before any of it runs: under `curl … | sh` a
# command that reads stdin (pveum, apt-get, node) would otherwise eat the rest of the script.
{

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
#   VM.Config.HWType           the VM template's serial console, vga and SCSI controller
#   VM.PowerMgmt               start, stop, reboot
#   VM.Snapshot                snapshots before redeploy and clone, their rollback and delete
#                              (rollback takes VM.Snapshot or VM.Snapshot.Rollback, so not the latter)
#   VM.Backup                  vzdump; pruning (per guest: Datastore.Allocate not needed), protecting
#                              and deleting an app's backups (hidden from listings without it)
#   Datastore.AllocateSpace    disks on create, clone, resize and backup; also lets the agent list
#                              storages and their content (so Datastore.Audit is not needed)
#   Datastore.AllocateTemplate downloading the debian-12 CT template (aplinfo) and the VM
#                              template's cloud image (download-url)
#   Sys.AccessNetwork          download-url fetching that cloud image (or Sys.Modify on /, which
#                              is far more)
#   SDN.Use                    using the bridge (vmbr0) of a guest's NIC, checked since PVE 8.0
#   VM.Monitor                 PVE 8 only: VM guest agent network-get-interfaces (the VM's address)
#   VM.GuestAgent.Audit        PVE 9 only: the same call (PVE 9 removed VM.Monitor)
# pveum refuses privileges it does not know, so each version gets only its own.
PVE_PRIVS_COMMON="Sys.Audit,VM.Audit,VM.Allocate,VM.Clone,VM.Config.CPU,VM.Config.Memory,VM.Config.Disk,VM.Config.Network,VM.Config.Options,VM.Config.HWType,VM.PowerMgmt,VM.Snapshot,VM.Backup,Datastore.AllocateSpace,Datastore.AllocateTemplate,SDN.Use,Sys.AccessNetwork"
PVE_PRIVS_8="$PVE_PRIVS_COMMON,VM.Monitor"
PVE_PRIVS_9="$PVE_PRIVS_COMMON,VM.GuestAgent.Audit"

URL=""
TOKEN="${PYLON_ENROLL_TOKEN:-}"
TOKEN_FILE=""
TOKEN_IN_ARGV=0
INSECURE=0
PVE_URL=""
PVE_FINGERPRINT=""
PVE_SERVER_NAME=""
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
    --token) need_value "$@"; TOKEN="$2"; TOKEN_IN_ARGV=1; shift 2 ;;
    --token=*) TOKEN="${1#*=}"; TOKEN_IN_ARGV=1; shift ;;
    --token-file) need_value "$@"; TOKEN_FILE="$2"; shift 2 ;;
    --token-file=*) TOKEN_FILE="${1#*=}"; shift ;;
    --insecure) INSECURE=1; shift ;;
    --pve-url) need_value "$@"; PVE_URL="$2"; shift 2 ;;
    --pve-url=*) PVE_URL="${1#*=}"; shift ;;
    --pve-fingerprint) need_value "$@"; PVE_FINGERPRINT="$2"; shift 2 ;;
    --pve-fingerprint=*) PVE_FINGERPRINT="${1#*=}"; shift ;;
    --pve-server-name) need_value "$@"; PVE_SERVER_NAME="$2"; shift 2 ;;
    --pve-server-name=*) PVE_SERVER_NAME="${1#*=}"; shift ;;
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
    -h|--help) sed -n '2,28p' "$0" 2>/dev/null || true; exit 0 ;;
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
  if marker_has "snippets_dir=created"; then
    # Only if empty: a VM template Pylon made still needs its snippet.
    rmdir "$ROOT/var/lib/vz/snippets" 2>/dev/null || true
    if [ -n "$ROOT" ]; then rmdir "$ROOT/var/lib/vz" 2>/dev/null || true; fi
  fi
  nodejs_added=0
  if marker_has "nodejs=installed"; then nodejs_added=1; fi
  git_added=0
  if marker_has "git=installed"; then git_added=1; fi
  rm -rf "$ETC_DIR" "$STATE_DIR" "$LIB_DIR"
  if [ "$nodejs_added" = 1 ]; then
    apt-get remove -y nodejs || say "could not remove nodejs"
  fi
  if [ "$git_added" = 1 ]; then
    apt-get remove -y git || say "could not remove git"
  fi
  say "removed"
}

if [ "$UNINSTALL" = 1 ]; then
  uninstall
  exit 0
fi

case "$URL" in
  https://*) ;;
  http://*)
    [ "$INSECURE" = 1 ] || die "--url $URL is not https: the enrollment token and the agent's credential would cross the network in clear text; use the https:// address, or add --insecure (a local test only)"
    say "warning: $URL is not https (--insecure); the credential travels in clear text" ;;
  "") die "--url is required (the control plane's address)" ;;
  *) die "--url must start with https://" ;;
esac
URL="${URL%/}"
if [ -n "$TOKEN_FILE" ]; then
  TOKEN="$(cat -- "$TOKEN_FILE")" || die "cannot read the enrollment token from --token-file $TOKEN_FILE"
fi
[ -n "$TOKEN" ] || die "the enrollment token is required: PYLON_ENROLL_TOKEN, --token-file FILE or --token (create the node in Pylon to get one)"
if [ "$TOKEN_IN_ARGV" = 1 ]; then say "note: --token is visible to other users in ps while this runs; PYLON_ENROLL_TOKEN or --token-file are not"; fi
if [ -n "$PVE_TOKEN_ID" ] && [ -z "$PVE_TOKEN_SECRET" ]; then die "--pve-token-id needs --pve-token-secret"; fi
if [ -n "$CA_FILE" ] && [ ! -r "$CA_FILE" ]; then die "cannot read --ca-file $CA_FILE"; fi
case "$PVE_URL" in ""|https://*) ;; *) die "--pve-url must start with https://" ;; esac
if [ -n "$PVE_FINGERPRINT" ] && [ -n "$PVE_SERVER_NAME" ]; then die "give --pve-fingerprint or --pve-server-name, not both"; fi

# The version floor and the role's privileges for this host's major version (`pveversion`:
# pve-manager/8.4.5/...). 8.2 brought `pct exec --keep-env` and 8.1 the CT interfaces API,
# both of which the agent uses.
pve_version="$(pveversion 2>/dev/null | head -n 1)" || true
case "$pve_version" in
  pve-manager/8.[01].*|pve-manager/8.[01]-*)
    die "Proxmox VE 8.2 or later is required (pveversion says: $pve_version): the agent runs 'pct exec --keep-env' (8.2) and reads CT addresses from the API (8.1); upgrade the host (apt update && apt full-upgrade) and run this again" ;;
  pve-manager/8.*) PVE_PRIVS="$PVE_PRIVS_8" ;;
  pve-manager/9.*) PVE_PRIVS="$PVE_PRIVS_9" ;;
  *) die "Proxmox VE 8.2 or later (8.x or 9.x) is required (pveversion says: ${pve_version:-nothing})" ;;
esac

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

# The agent plans Git deploys on the host (a shallow fetch of the repository) before any guest.
if ! command -v git >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
  say "installing Debian's git"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq git && remember "git=installed"
fi

# fetch URL FILE: one download over https (or http with --insecure), trusting --ca-file if given.
fetch() {
  if command -v curl >/dev/null 2>&1; then
    if [ -n "$CA_FILE" ]; then
      curl -fsSL --proto '=https,http' --cacert "$CA_FILE" -o "$2" "$1"
    else
      curl -fsSL --proto '=https,http' -o "$2" "$1"
    fi
  elif command -v wget >/dev/null 2>&1; then
    if [ -n "$CA_FILE" ]; then
      wget -q --ca-certificate="$CA_FILE" -O "$2" "$1"
    else
      wget -q -O "$2" "$1"
    fi
  else
    die "curl or wget is required"
  fi
}

# The control plane announces the bundle's version and SHA-256; what is downloaded must match.
fetch "$URL/install/agent.json" "$LIB_DIR/agent.json.tmp" || die "cannot download $URL/install/agent.json"
AGENT_SHA256="$("$NODE_BIN" -e '
  const m = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  if (!/^[0-9a-f]{64}$/.test(m.sha256 ?? "")) process.exit(1);
  process.stdout.write(m.sha256);' "$LIB_DIR/agent.json.tmp")" || die "$URL/install/agent.json does not announce the agent's SHA-256"
rm -f "$LIB_DIR/agent.json.tmp"
say "downloading the agent from $URL/install/agent.mjs"
fetch "$URL/install/agent.mjs" "$LIB_DIR/agent.mjs.tmp" || die "cannot download $URL/install/agent.mjs"
got_sha256="$(sha256sum "$LIB_DIR/agent.mjs.tmp" | cut -d' ' -f1)"
if [ "$got_sha256" != "$AGENT_SHA256" ]; then
  rm -f "$LIB_DIR/agent.mjs.tmp"
  die "the downloaded agent's SHA-256 is $got_sha256, not the $AGENT_SHA256 the control plane announced; nothing was installed (try again, or check what is between this host and $URL)"
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

# A custom pveproxy certificate does not chain to pve-root-ca.pem: verify it by name (public CA,
# survives ACME renewals) or pin it, as the agent's own `pve-tls` decides, unless told how.
PVE_SSL="$ROOT/etc/pve/local/pveproxy-ssl.pem"
if [ -z "$PVE_FINGERPRINT" ] && [ -z "$PVE_SERVER_NAME" ] && [ -f "$PVE_SSL" ]; then
  tls_choice="$("$NODE_BIN" "$LIB_DIR/agent.mjs" pve-tls "$PVE_SSL")" || die "cannot read $PVE_SSL"
  PVE_SERVER_NAME="$(printf '%s' "$tls_choice" | "$NODE_BIN" -e 'let s="";process.stdin.on("data",(d)=>(s+=d)).on("end",()=>process.stdout.write(JSON.parse(s).serverName??""))')"
  PVE_FINGERPRINT="$(printf '%s' "$tls_choice" | "$NODE_BIN" -e 'let s="";process.stdin.on("data",(d)=>(s+=d)).on("end",()=>process.stdout.write(JSON.parse(s).fingerprint??""))')"
  if [ -n "$PVE_SERVER_NAME" ]; then say "the PVE API has a certificate from a public CA: verifying it as $PVE_SERVER_NAME"
  else say "the PVE API has its own certificate: pinning its SHA-256 fingerprint $PVE_FINGERPRINT (run this again, or pass --pve-fingerprint, after it changes)"; fi
fi

say "enrolling with $URL"
set -- enroll --url "$URL" --config "$ETC_DIR/agent.json" --pve-token-id "$PVE_TOKEN_ID" --pve-token-secret-file pve-token
if [ -n "$CA_FILE" ]; then set -- "$@" --ca-file control-plane-ca.pem; fi
if [ -n "$NODE_NAME" ]; then set -- "$@" --node-name "$NODE_NAME"; fi
if [ -n "$PVE_URL" ]; then set -- "$@" --pve-url "$PVE_URL"; fi
if [ -n "$PVE_FINGERPRINT" ]; then set -- "$@" --pve-fingerprint "$PVE_FINGERPRINT"; fi
if [ -n "$PVE_SERVER_NAME" ]; then set -- "$@" --pve-server-name "$PVE_SERVER_NAME"; fi
# The enrollment token goes through the environment, not argv (argv is visible in ps).
PYLON_AGENT_ENROLL_TOKEN="$TOKEN" "$NODE_BIN" "$LIB_DIR/agent.mjs" "$@" || die "enrollment failed (see the message above); the token may be used or expired"

# Where the VM template's cloud-init snippet goes (the storage `local`'s snippets folder; the
# unit may write only there). Made here if missing, so the unit's sandbox can include it.
SNIPPETS="$ROOT/var/lib/vz/snippets"
if [ ! -d "$SNIPPETS" ]; then
  mkdir -p "$SNIPPETS"
  remember "snippets_dir=created"
fi

# The unit's ExecStartPre: the same text as packages/agent/src/install/rollback.sh (a test keeps
# them equal); it puts the previous bundle back after a self-update that did not come back.
cat >"$LIB_DIR/rollback.sh" <<'ROLLBACK_EOF'
#!/bin/sh
# ExecStartPre of pylon-agent.service: puts the previous agent bundle back when a self-update
# was not confirmed by its deadline (the updated agent could not start, or did not reconnect).
# Written next to the bundle by agent.sh; the agent's update only replaces agent.mjs.
#   rollback.sh [update.json] [bundle dir]
f="${1:-/var/lib/pylon-agent/update.json}"
d="${2:-/usr/local/lib/pylon-agent}"
[ -f "$f" ] || exit 0
grep -q '"rolledBack":true' "$f" && exit 0
deadline="$(sed -n 's/.*"deadline":\([0-9]*\).*/\1/p' "$f")"
[ -n "$deadline" ] || exit 0
[ "$(date +%s)" -ge "$deadline" ] || exit 0
[ -f "$d/agent.mjs.previous" ] || exit 0
mv -f "$d/agent.mjs.previous" "$d/agent.mjs"
sed -i 's/"rolledBack":false/"rolledBack":true/' "$f"
echo "pylon-agent: the updated agent was not back in time; running the previous bundle again" >&2
exit 0
ROLLBACK_EOF
chmod 755 "$LIB_DIR/rollback.sh"

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
# A self-update that was not confirmed in time (the new agent could not start or reconnect)
# is undone here: the previous bundle is put back before the agent starts (rollback.sh).
ExecStartPre=-/bin/sh /usr/local/lib/pylon-agent/rollback.sh /var/lib/pylon-agent/update.json /usr/local/lib/pylon-agent
# The heap cap makes a leak in the agent itself end in a restart (it idles near 50 MB).
ExecStart=/usr/bin/node --max-old-space-size=192 /usr/local/lib/pylon-agent/agent.mjs run --config /etc/pylon/agent.json
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
# join their cgroups, which needs root with CAP_SYS_ADMIN, and `pct set` writes /etc/pve. So the
# hardening below narrows what root can do rather than dropping root:
# - ProtectSystem=strict: the whole tree is read-only for the agent and its children, except
#   its own state and config (rotation rewrites the credential), its bundle (it updates itself,
#   checked against the control plane's SHA-256) and what `pct` writes: the
#   CT configs in pmxcfs (`pct set` writes /etc/pve/nodes/<node>/lxc/<vmid>.conf; /etc/pve/local
#   is pmxcfs' link to this node's folder, so the rest of /etc/pve, priv/ included, stays
#   read-only), the config locks in /run/lock/lxc and lxc's own runtime dirs; and the cloud-init
#   snippet of the VM template it prepares (/var/lib/vz/snippets).
# - CapabilityBoundingSet: what pct and lxc-attach use to enter an unprivileged CT: setns
#   (SYS_ADMIN) on /proc/<pid>/ns of a process of another uid (SYS_PTRACE), joining its cgroup
#   and writing files of other owners (DAC_*, FOWNER, FSETID, CHOWN), switching to the CT's ids
#   and dropping its capabilities (SETUID, SETGID, SETPCAP), chroot, and killing a command on
#   timeout (KILL). No module loading, raw I/O, network or clock administration.
# - SystemCallFilter: a deny-list of what neither the agent nor pct/lxc-attach calls (an allow-
#   list would have to guess lxc-attach's namespace and mount calls); denied calls fail EPERM.
# - ProtectControlGroups, PrivateDevices, RestrictNamespaces, ProtectKernelTunables and
#   ProtectProc are NOT set: lxc-attach writes cgroup.procs, opens /dev/pts, calls setns and
#   reads the container's processes in /proc.
# - NoNewPrivileges=yes: nothing the agent runs needs setuid; AppArmor lets an unconfined
#   process under no_new_privs move into the container's (stricter) profile, which is what
#   lxc-attach does.
NoNewPrivileges=yes
ProtectSystem=strict
ReadWritePaths=/var/lib/pylon-agent /etc/pylon /usr/local/lib/pylon-agent
ReadWritePaths=-/etc/pve/local/lxc -/run/lock -/run/lxc -/var/lib/lxc -/var/lib/vz/snippets
CapabilityBoundingSet=CAP_SYS_ADMIN CAP_SYS_PTRACE CAP_SYS_CHROOT CAP_DAC_OVERRIDE CAP_DAC_READ_SEARCH CAP_FOWNER CAP_FSETID CAP_CHOWN CAP_SETUID CAP_SETGID CAP_SETPCAP CAP_KILL
SystemCallArchitectures=native
SystemCallFilter=~@clock @cpu-emulation @debug @module @obsolete @raw-io @reboot @swap
SystemCallErrorNumber=EPERM
StateDirectory=pylon-agent
StateDirectoryMode=0700
PrivateTmp=yes
ProtectHome=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectClock=yes
ProtectHostname=yes
LockPersonality=yes
RestrictRealtime=yes
RestrictSUIDSGID=yes
UMask=0077
# Every `pct` is a Perl program charged to this cgroup (tens of MB each, several at once during
# deploys, log follows and diagnostics), so the limit is for the whole tree, not the agent:
# above MemoryHigh the kernel reclaims from it, at MemoryMax it is OOM-killed.
MemoryHigh=768M
MemoryMax=1G

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
}

#!/usr/bin/env bash
# Installs the real servers and tools the tests drive, from Debian's packages, when missing:
# Chromium (browser tests), OpenSSH (real SSH), Caddy (routes), docker-compose (checks rendered
# catalog compose files; no engine needed), openssl and git, and for the real-systemd host tier
# (test/e2e/host-systemd.test.ts) debootstrap and systemd-nspawn.
set -euo pipefail
need=()
command -v openssl >/dev/null || need+=(openssl)
command -v git >/dev/null || need+=(git)
command -v chromium >/dev/null || need+=(chromium)
command -v sshd >/dev/null || [ -x /usr/sbin/sshd ] || need+=(openssh-server)
command -v caddy >/dev/null || need+=(caddy)
command -v docker-compose >/dev/null || need+=(docker-compose)
command -v unshare >/dev/null || need+=(util-linux)
command -v debootstrap >/dev/null || need+=(debootstrap)
command -v systemd-nspawn >/dev/null || need+=(systemd-container)
if [ "${#need[@]}" -gt 0 ]; then
  echo "installing from Debian: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

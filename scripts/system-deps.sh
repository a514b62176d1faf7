#!/usr/bin/env bash
# Installs the real servers and tools the tests drive, from Debian's packages, when missing:
# Chromium (browser tests), OpenSSH (real SSH), Caddy (routes), docker-compose (checks rendered
# catalog compose files), openssl and git; Debian's docker.io, debootstrap and curl for the
# real-Docker tier (test/docker); debootstrap and systemd-nspawn for the real-systemd host tier
# (test/e2e/host-systemd.test.ts).
set -euo pipefail
need=()
command -v openssl >/dev/null || need+=(openssl)
command -v git >/dev/null || need+=(git)
command -v chromium >/dev/null || need+=(chromium)
command -v sshd >/dev/null || [ -x /usr/sbin/sshd ] || need+=(openssh-server)
command -v caddy >/dev/null || need+=(caddy)
command -v docker-compose >/dev/null || need+=(docker-compose)
command -v unshare >/dev/null || need+=(util-linux)
command -v curl >/dev/null || need+=(curl)
[ -x /usr/sbin/dockerd ] || need+=(docker.io)
command -v debootstrap >/dev/null || [ -x /usr/sbin/debootstrap ] || need+=(debootstrap)
command -v systemd-nspawn >/dev/null || need+=(systemd-container)
if [ "${#need[@]}" -gt 0 ]; then
  echo "installing from Debian: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

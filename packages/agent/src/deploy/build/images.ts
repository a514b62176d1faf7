/**
 * Base images of generated Dockerfiles, pinned to a release (never a floating tag) and kept in
 * one place so an upgrade is one reviewed change.
 */
export const BASE_IMAGES = {
  node: "node:20.18.1-alpine",
  python: "python:3.12.8-slim",
  /** nginx's official non-root variant: listens on 8080, runs as uid 101. */
  staticServer: "nginxinc/nginx-unprivileged:1.27.3-alpine",
} as const;

/** Python servers added when the project does not already depend on them. */
export const PYTHON_SERVERS = {
  gunicorn: "gunicorn==23.0.0",
  uvicorn: "uvicorn==0.34.0",
} as const;

/** The port the static server image listens on. */
export const STATIC_SERVER_PORT = 8080;

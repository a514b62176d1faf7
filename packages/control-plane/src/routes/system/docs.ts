import type { Handler } from "hono";

/**
 * Interactive API docs (Swagger UI). Its assets are served from our own origin
 * (/api-docs/, copied from swagger-ui-dist at UI build time), so the docs work offline.
 */
export const docsPage: Handler = (c) =>
  c.html(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Pylon API</title><link rel="icon" href="/favicon.svg" type="image/svg+xml"><link rel="stylesheet" href="/api-docs/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/api-docs/swagger-ui-bundle.js"></script><script src="/api-docs/init.js"></script></body></html>`);

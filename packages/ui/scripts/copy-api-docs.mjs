// Copies Swagger UI's assets into dist/api-docs so /api/docs works offline, from our own origin.
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);
const src = dirname(require.resolve("swagger-ui-dist/package.json"));
const out = join(import.meta.dirname, "..", "dist", "api-docs");
mkdirSync(out, { recursive: true });
for (const f of ["swagger-ui.css", "swagger-ui-bundle.js"]) copyFileSync(join(src, f), join(out, f));
writeFileSync(
  join(out, "init.js"),
  'window.ui = SwaggerUIBundle({ url: "/api/v1/openapi.json", dom_id: "#swagger-ui", deepLinking: true, persistAuthorization: true, validatorUrl: null });\n',
);

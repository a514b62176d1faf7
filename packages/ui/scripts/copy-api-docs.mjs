// Copies Swagger UI's assets into dist/api-docs so /api/docs works offline, from our own origin.
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);
const src = dirname(require.resolve("swagger-ui-dist/package.json"));
const out = join(import.meta.dirname, "..", "dist", "api-docs");
mkdirSync(out, { recursive: true });
for (const f of ["swagger-ui.css", "swagger-ui-bundle.js"]) copyFileSync(join(src, f), join(out, f));
// The dashboard's theme (the one picked there, else the system's), with Swagger UI's own dark
// mode (its `html.dark-mode` styles), following a change of the system setting.
const theme = `(function () {
  var picked = null;
  try { picked = localStorage.getItem("pylon-theme"); } catch (e) {}
  var media = window.matchMedia("(prefers-color-scheme: dark)");
  function apply() {
    var dark = picked === "dark" || (picked !== "light" && media.matches);
    document.documentElement.classList.toggle("dark-mode", dark);
    document.documentElement.style.colorScheme = dark ? "dark" : "light";
  }
  apply();
  media.addEventListener("change", apply);
})();
`;
writeFileSync(
  join(out, "init.js"),
  `${theme}window.ui = SwaggerUIBundle({ url: "/api/v1/openapi.json", dom_id: "#swagger-ui", deepLinking: true, persistAuthorization: true, validatorUrl: null });\n`,
);

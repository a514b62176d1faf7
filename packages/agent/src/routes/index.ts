export { CaddyAdmin, CaddyError } from "./caddy-admin.ts";
export type { RouteInfo } from "./caddy-config.ts";
export { CaddyRoutes, type CaddyRoutesOptions, type RouteSpec } from "./caddy-routes.ts";
export { checkHost, isPrivateHost, RouteInputError, type TlsMode, tlsModeFor } from "./names.ts";

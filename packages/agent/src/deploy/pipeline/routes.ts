/** One published app: `host` → `upstream` (address:port). */
export interface RouteSpec {
  id: string;
  host: string;
  upstream: string;
  tls?: "internal" | "acme";
}

/** What the pipeline needs from the route manager (satisfied by routes/CaddyRoutes). */
export interface Routes {
  upsertRoute(route: RouteSpec): Promise<unknown>;
  /** Removes a route; nothing happens when it does not exist. */
  removeRoute(id: string): Promise<unknown>;
}

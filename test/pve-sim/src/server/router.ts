import type { Identity } from "../auth/auth.ts";
import type { FaultRule } from "../control/faults.ts";
import type { World } from "../world.ts";

/** HTTP methods the API knows. */
export type Method = "GET" | "POST" | "PUT" | "DELETE";

/** What a handler gets: validated parameters (URI variables included), the caller, the world. */
export interface Ctx {
  world: World;
  params: Record<string, unknown>;
  who: Identity;
  /** A fault matched by method+path for this request; a task started by the handler takes it. */
  fault?: FaultRule;
}

/** A result with PVE's `total` beside `data` (task log, task list). */
export class WithTotal {
  constructor(
    readonly data: unknown,
    readonly total: number,
  ) {}
}

/** One simulated endpoint; `path` is the schema's template, e.g. `/nodes/{node}/lxc`. */
export interface Route {
  method: Method;
  path: string;
  /** Returns a UPID (a task); injected request faults then apply inside the task. */
  async?: boolean;
  handler: (ctx: Ctx) => unknown;
}

/** Route table keyed by "METHOD path". */
export class Router {
  readonly routes = new Map<string, Route>();

  /** Adds routes. */
  add(...routes: Route[]): this {
    for (const r of routes) this.routes.set(`${r.method} ${r.path}`, r);
    return this;
  }

  /** The route for a method and schema path. */
  get(method: string, path: string): Route | undefined {
    return this.routes.get(`${method} ${path}`);
  }
}

/** String value of a validated parameter (undefined when absent). */
export function str(params: Record<string, unknown>, key: string): string | undefined {
  const v = params[key];
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v)) return v.map(String).join(",");
  return String(v);
}

/** Integer value of a validated parameter. */
export function int(params: Record<string, unknown>, key: string): number | undefined {
  const v = str(params, key);
  return v === undefined ? undefined : Number(v);
}

/** Boolean value of a validated 0/1 parameter. */
export function bool(params: Record<string, unknown>, key: string): boolean {
  const v = str(params, key);
  return v === "1" || v === "true";
}

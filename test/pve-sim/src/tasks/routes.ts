import { PveError } from "../server/errors.ts";
import { bool, int, type Route, str, WithTotal } from "../server/router.ts";
import type { World } from "../world.ts";
import type { Task } from "./tasks.ts";
import { parseUpid } from "./upid.ts";

function findTask(world: World, upid: string): Task {
  if (!parseUpid(upid))
    throw new PveError(400, "Parameter verification failed.\n", { upid: "unable to parse worker upid" });
  const t = world.tasks.get(upid);
  if (!t) throw new PveError(400, "Parameter verification failed.\n", { upid: "no such task" });
  return t;
}

// Task `user` fields: the UPID keeps the full authid; status and list split off the token.
function userFields(t: Task): { user: string; tokenid?: string } {
  const [user, tokenid] = t.user.split("!");
  return tokenid ? { user: user!, tokenid } : { user: user! };
}

/** The status object of GET …/tasks/{upid}/status. */
export function taskStatus(world: World, t: Task): Record<string, unknown> {
  const running = world.tasks.readRunning(t);
  const out: Record<string, unknown> = {
    upid: t.upid,
    node: t.node,
    pid: t.pid,
    pstart: t.pstart,
    starttime: t.starttime,
    type: t.type,
    id: t.id,
    ...userFields(t),
    status: running ? "running" : "stopped",
  };
  if (!running) out.exitstatus = t.exitstatus;
  return out;
}

/** Task list, status, log and stop. */
export function taskRoutes(): Route[] {
  return [
    {
      method: "GET",
      path: "/nodes/{node}/tasks",
      handler: ({ world, params, who }) => {
        const vmid = str(params, "vmid");
        const typefilter = str(params, "typefilter");
        const errors = bool(params, "errors");
        const source = str(params, "source") ?? "archive";
        const start = int(params, "start") ?? 0;
        const limit = int(params, "limit") ?? 50;
        const userfilter = str(params, "userfilter");
        const seeAll = world.auth.can(who, `/nodes/${world.node}`, "Sys.Audit");
        const list = [...world.tasks.tasks]
          .reverse()
          .filter((t) => seeAll || t.user === who.authid)
          .filter((t) => (vmid ? t.id === vmid || t.id.startsWith(`${vmid}@`) : true))
          .filter((t) => (typefilter ? t.type === typefilter : true))
          .filter((t) => (userfilter ? t.user.includes(userfilter) : true))
          .filter((t) => (source === "active" ? t.running : source === "archive" ? !t.running || true : true))
          .filter((t) => (errors ? !t.running && t.exitstatus !== "OK" : true))
          .map((t) => {
            const running = t.running || !t.seenRunning;
            const item: Record<string, unknown> = {
              upid: t.upid,
              node: t.node,
              pid: t.pid,
              pstart: t.pstart,
              starttime: t.starttime,
              type: t.type,
              id: t.id,
              ...userFields(t),
            };
            if (!running) {
              item.endtime = t.endtime;
              item.status = t.exitstatus;
            }
            return item;
          });
        return new WithTotal(list.slice(start, start + limit), list.length);
      },
    },
    {
      method: "GET",
      path: "/nodes/{node}/tasks/{upid}/status",
      handler: ({ world, params }) => taskStatus(world, findTask(world, str(params, "upid")!)),
    },
    {
      method: "GET",
      path: "/nodes/{node}/tasks/{upid}/log",
      handler: ({ world, params }) => {
        const t = findTask(world, str(params, "upid")!);
        const start = int(params, "start") ?? 0;
        const limit = int(params, "limit") ?? 50;
        const lines = t.log.length ? t.log : ["no content"];
        const slice = lines.slice(start, start + limit).map((text, i) => ({ n: start + i + 1, t: text }));
        return new WithTotal(slice, lines.length);
      },
    },
    {
      method: "DELETE",
      path: "/nodes/{node}/tasks/{upid}",
      handler: ({ world, params }) => {
        const t = findTask(world, str(params, "upid")!);
        if (t.running) t.abort.abort(new Error("interrupted by signal"));
        return null;
      },
    },
  ];
}

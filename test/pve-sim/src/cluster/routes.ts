import { knownPrivileges } from "../auth/pve9.ts";
import { guestStats, guestSummary, rrdRows } from "../guests/metrics.ts";
import { PveError } from "../server/errors.ts";
import { int, type Route, str } from "../server/router.ts";
import { avail, used } from "../storage/storage.ts";
import type { World } from "../world.ts";

const GiB = 2 ** 30;
const NODE_MEM = 64 * GiB;
const NODE_CPUS = 16;

/** Node-wide figures (memory grows with running guests). */
export function nodeStats(world: World): Record<string, number> {
  let mem = 3 * GiB;
  let cpu = 0.02;
  for (const g of world.guests.values()) {
    const s = guestStats(g);
    mem += s.mem ?? 0;
    cpu += (s.cpu ?? 0) / NODE_CPUS;
  }
  return {
    cpu: Math.min(1, cpu),
    maxcpu: NODE_CPUS,
    mem: Math.min(mem, NODE_MEM),
    maxmem: NODE_MEM,
    disk: 9 * GiB,
    maxdisk: 94 * GiB,
    uptime: Math.floor(Date.now() / 1000) - world.bootTime,
  };
}

/** Access, version, cluster and node endpoints. */
export function clusterRoutes(): Route[] {
  return [
    {
      method: "POST",
      path: "/access/ticket",
      handler: ({ world, params }) => {
        const { ticket, csrf, userid } = world.auth.login(
          str(params, "username")!,
          str(params, "password")!,
          str(params, "realm"),
        );
        return {
          username: userid,
          ticket,
          CSRFPreventionToken: csrf,
          cap: { vms: {}, storage: {}, access: {}, nodes: {}, dc: {}, sdn: {}, mapping: {} },
        };
      },
    },
    {
      method: "GET",
      path: "/access/permissions",
      // The caller's own effective privileges (a privilege-separated token: what both it and its
      // user hold), per path: the one asked for, else "/" and every path with an ACL entry.
      handler: ({ world, params, who }) => {
        const known = new Set(knownPrivileges(world.pveVersion));
        const asked = str(params, "path");
        const paths = asked ? [asked] : ["/", ...new Set(world.auth.acl.map((e) => e.path))];
        return Object.fromEntries(
          paths.map((p) => [
            p,
            Object.fromEntries(
              [...world.auth.privileges(who, p)].filter((x) => known.has(x)).map((x) => [x, 1]),
            ),
          ]),
        );
      },
    },
    {
      method: "GET",
      path: "/version",
      handler: ({ world }) => ({
        version: world.pveVersion,
        release: world.pveVersion.split(".").slice(0, 2).join("."),
        repoid: "dac3aa88bac3f300",
        console: "xtermjs",
      }),
    },
    {
      method: "GET",
      path: "/cluster/nextid",
      handler: ({ world, params }) => {
        const want = int(params, "vmid");
        if (want !== undefined) {
          if (world.guests.has(want))
            throw new PveError(400, "Parameter verification failed.\n", {
              vmid: `VM ${want} already exists`,
            });
          return String(want);
        }
        let id = 100;
        while (world.guests.has(id)) id++;
        // Real servers send a string here although the schema says integer.
        return String(id);
      },
    },
    {
      method: "GET",
      path: "/cluster/resources",
      handler: ({ world, params, who }) => {
        const type = str(params, "type");
        const out: Record<string, unknown>[] = [];
        if (!type || type === "vm") {
          for (const g of [...world.guests.values()].sort((a, b) => a.vmid - b.vmid)) {
            if (!world.auth.can(who, `/vms/${g.vmid}`, "VM.Audit")) continue;
            const item = guestSummary(world, g);
            delete item.cpus;
            out.push({ id: `${g.kind}/${g.vmid}`, type: g.kind, ...item });
          }
        }
        if (!type || type === "storage") {
          for (const s of world.storages) {
            if (!world.auth.can(who, `/storage/${s.id}`, "Datastore.Audit")) continue;
            out.push({
              id: `storage/${world.node}/${s.id}`,
              type: "storage",
              storage: s.id,
              node: world.node,
              status: "available",
              plugintype: s.type,
              content: s.content.join(","),
              shared: 0,
              disk: used(s),
              maxdisk: s.total,
            });
          }
        }
        if (!type || type === "node") {
          out.push({
            id: `node/${world.node}`,
            type: "node",
            node: world.node,
            status: "online",
            level: "",
            "cgroup-mode": 2,
            ...nodeStats(world),
          });
        }
        return out;
      },
    },
    {
      method: "GET",
      path: "/nodes",
      handler: ({ world }) => [
        {
          node: world.node,
          id: `node/${world.node}`,
          type: "node",
          status: "online",
          level: "",
          ssl_fingerprint: "",
          ...nodeStats(world),
        },
      ],
    },
    {
      method: "GET",
      path: "/nodes/{node}/status",
      handler: ({ world }) => {
        const s = nodeStats(world);
        const local = world.storage("local");
        return {
          cpu: s.cpu,
          wait: 0.001,
          idle: 0,
          loadavg: ["0.12", "0.18", "0.15"],
          uptime: s.uptime,
          memory: { total: s.maxmem, used: s.mem, free: (s.maxmem ?? 0) - (s.mem ?? 0) },
          swap: { total: 8 * GiB, used: 0, free: 8 * GiB },
          ksm: { shared: 0 },
          rootfs: {
            total: s.maxdisk,
            used: s.disk,
            avail: avail(local),
            free: (s.maxdisk ?? 0) - (s.disk ?? 0),
          },
          cpuinfo: {
            cpus: NODE_CPUS,
            cores: 8,
            sockets: 1,
            model: "Simulated CPU @ 3.00GHz",
            mhz: "3000.000",
            hvm: "1",
            flags: "",
            user_hz: 100,
          },
          kversion: "Linux 6.8.12-11-pve #1 SMP PREEMPT_DYNAMIC PMX 6.8.12-11 (2025-05-22T09:39Z) x86_64",
          "current-kernel": {
            sysname: "Linux",
            release: "6.8.12-11-pve",
            version: "#1 SMP PREEMPT_DYNAMIC PMX 6.8.12-11",
            machine: "x86_64",
          },
          "boot-info": { mode: "efi", secureboot: 0 },
          pveversion: `pve-manager/${world.pveVersion}/dac3aa88bac3f300`,
        };
      },
    },
    {
      method: "GET",
      path: "/nodes/{node}/rrddata",
      handler: ({ world, params }) => {
        const s = nodeStats(world);
        return rrdRows(str(params, "timeframe") ?? "hour", (t, i) => ({
          loadavg: 0.1 + (i % 5) / 50,
          maxcpu: NODE_CPUS,
          cpu: (s.cpu ?? 0) + (i % 3) / 1000,
          iowait: 0.0005,
          memtotal: NODE_MEM,
          memused: s.mem ?? 0,
          swaptotal: 8 * GiB,
          swapused: 0,
          roottotal: s.maxdisk ?? 0,
          rootused: s.disk ?? 0,
          netin: 1500 + (t % 97),
          netout: 900 + (t % 53),
        }));
      },
    },
  ];
}

import { z } from "@hono/zod-openapi";
import { idSchema } from "@pylon/shared";
import type { Context } from "hono";
import type { AppEnv } from "../../env.ts";

export const nodeIdParams = z.object({ id: idSchema });

/** The base URL agents and browsers reach this control plane at. */
export function baseUrl(c: Context<AppEnv>): string {
  return (c.get("deps").publicUrl ?? new URL(c.req.url).origin).replace(/\/$/, "");
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

/**
 * Why an install command may not work, if it may not: without PYLON_PUBLIC_URL the command uses
 * the address the admin's browser used, which is often one the Proxmox host cannot reach (a
 * loopback address always is). Says exactly what to set.
 */
export function installWarning(c: Context<AppEnv>): string | null {
  if (c.get("deps").publicUrl) return null;
  const origin = new URL(c.req.url).origin;
  const fix =
    "Set PYLON_PUBLIC_URL to the address the Proxmox host reaches Pylon at (e.g. https://pylon.example.com), restart Pylon, then issue a new enrollment token from the node's page.";
  return LOOPBACK.test(new URL(origin).hostname)
    ? `PYLON_PUBLIC_URL is not set, so this command uses ${origin}, the address you opened Pylon at: a Proxmox host cannot reach that (it is this machine's loopback address). ${fix}`
    : `PYLON_PUBLIC_URL is not set, so this command uses ${origin}, the address you opened Pylon at. If the Proxmox host reaches Pylon at another address: ${fix}`;
}

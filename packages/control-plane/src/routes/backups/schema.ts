import { z } from "@hono/zod-openapi";
import { idSchema } from "@pylon/shared";
import type { Context } from "hono";
import type { BackupRow } from "../../db/schema/index.ts";
import type { AppEnv } from "../../env.ts";
import { toBackup } from "../../services/backup-views.ts";
import { existingApps } from "../../services/backups.ts";

export const appIdParams = z.object({ id: idSchema });
export const appBackupParams = z.object({ id: idSchema, backupId: idSchema });
export const backupIdParams = z.object({ backupId: idSchema });

/** The API views of backup rows (whether each one's app still exists). */
export async function backupViews(c: Context<AppEnv>, rows: BackupRow[]) {
  const live = await existingApps(
    c.get("deps"),
    rows.map((r) => r.appId),
  );
  return rows.map((r) => toBackup(r, live.has(r.appId)));
}

export { requester } from "../requester.ts";

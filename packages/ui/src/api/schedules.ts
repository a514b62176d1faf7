// Schedules the node's agent runs (backup, restore drill), the node default, and the
// installation's failure-notification webhook.
import type { Schedule, ScheduleList, ScheduleRun } from "@pylon/shared";
import { request } from "./client.ts";

export type { Schedule, ScheduleList, ScheduleRun };
export type ScheduleKind = Schedule["kind"];

const schedulesPath = (appId: string, rest = "") =>
  `/api/v1/apps/${encodeURIComponent(appId)}/schedules${rest}`;

export const listSchedules = (appId: string) => request<ScheduleList>("GET", schedulesPath(appId));

export const addSchedule = (appId: string, kind: ScheduleKind, cron: string) =>
  request<Schedule>("POST", schedulesPath(appId), { body: { kind, cron } });

export const changeSchedule = (appId: string, id: string, body: { cron?: string; enabled?: boolean }) =>
  request<Schedule>("PATCH", schedulesPath(appId, `/${encodeURIComponent(id)}`), { body });

export const removeSchedule = (appId: string, id: string) =>
  request<undefined>("DELETE", schedulesPath(appId, `/${encodeURIComponent(id)}`));

export const setNodeBackupCron = (nodeId: string, backupCron: string | null) =>
  request<{ backupCron: string | null; nextRuns: string[] }>(
    "PUT",
    `/api/v1/nodes/${encodeURIComponent(nodeId)}/backup-schedule`,
    { body: { backupCron } },
  );

export interface NotificationSettings {
  webhook: { origin: string } | null;
}

export const getNotifications = () => request<NotificationSettings>("GET", "/api/v1/settings/notifications");

export const setNotificationWebhook = (webhookUrl: string | null) =>
  request<NotificationSettings>("PUT", "/api/v1/settings/notifications", { body: { webhookUrl } });

export const testNotification = () =>
  request<{ delivered: boolean; detail: string }>("POST", "/api/v1/settings/notifications/test");

// Writes: one function per mutation the dashboard makes.
import type {
  ApiToken,
  App,
  AppUpdate,
  AutomationPolicy,
  CreateAppBody,
  Job,
  Node,
  PlanAppBody,
  PlanAppResult,
  Role,
  Scope,
  User,
} from "@pylon/shared";
import { request } from "./client.ts";
import type { Me } from "./queries.ts";

export const login = (email: string, password: string) =>
  request<Me>("POST", "/api/v1/auth/login", { body: { email, password }, expect401: true });

export const logout = () => request<void>("POST", "/api/v1/auth/logout", { expect401: true });

export const completeSetup = (body: { token: string; email: string; name: string; password: string }) =>
  request<Me>("POST", "/api/v1/setup", { body });

export const changePassword = (currentPassword: string, newPassword: string) =>
  request<void>("POST", "/api/v1/auth/password", { body: { currentPassword, newPassword } });

export const createUser = (body: { email: string; name: string; role: Role; password: string }) =>
  request<User>("POST", "/api/v1/users", { body });

export type UserPatch = { name?: string; role?: Role; disabled?: boolean; password?: string };

export const updateUser = (id: string, patch: UserPatch) =>
  request<User>("PATCH", `/api/v1/users/${encodeURIComponent(id)}`, { body: patch });

export const deleteUser = (id: string) => request<void>("DELETE", `/api/v1/users/${encodeURIComponent(id)}`);

export const createToken = (body: { name: string; scopes: Scope[]; expiresInDays?: number }) =>
  request<{ token: ApiToken; secret: string }>("POST", "/api/v1/tokens", { body });

export const revokeToken = (id: string) =>
  request<void>("DELETE", `/api/v1/tokens/${encodeURIComponent(id)}`);

export type Enrollment = {
  token: string;
  expiresAt: string;
  installCommand: string;
  warning?: string | null;
};
export type GuestType = "lxc" | "qemu";
export type PowerAction = "start" | "stop" | "shutdown" | "reboot";

const nodePath = (id: string, rest = "") => `/api/v1/nodes/${encodeURIComponent(id)}${rest}`;

export const createNode = (name: string) =>
  request<{ node: Node; enrollment: Enrollment }>("POST", "/api/v1/nodes", { body: { name } });

export const refreshInventory = (nodeId: string) => request<Job>("POST", nodePath(nodeId, "/inventory"));

export const powerGuest = (nodeId: string, vmid: number, type: GuestType, action: PowerAction) =>
  request<Job>("POST", nodePath(nodeId, `/guests/${vmid}/power`), { body: { type, action } });

export const newEnrollment = (nodeId: string) => request<Enrollment>("POST", nodePath(nodeId, "/enrollment"));

export const rotateCredential = (nodeId: string) =>
  request<{ credentialId: string }>("POST", nodePath(nodeId, "/credential/rotate"));

export const prepareVmTemplate = (
  nodeId: string,
  body: { image: string; vmid: number; storage: string; bridge: string },
) => request<Job>("POST", nodePath(nodeId, "/vm-template"), { body });

export const updateAgent = (nodeId: string) => request<Node>("POST", nodePath(nodeId, "/agent/update"));

export const revokeCredential = (nodeId: string) =>
  request<Node>("POST", nodePath(nodeId, "/credential/revoke"));

export const deleteNode = (nodeId: string) => request<void>("DELETE", nodePath(nodeId));

export const cancelJob = (id: string) =>
  request<Job>("POST", `/api/v1/jobs/${encodeURIComponent(id)}/cancel`);

const appPath = (id: string, rest = "") => `/api/v1/apps/${encodeURIComponent(id)}${rest}`;

type Optional<T, K extends keyof T> = Omit<T, K> & Partial<Pick<T, K>>;

/** The body of `POST /api/v1/apps` as sent: what the API defaults may be left out. */
export type CreateAppRequest = Optional<Omit<CreateAppBody, "source" | "target">, "env" | "secrets"> & {
  source:
    | Optional<Extract<CreateAppBody["source"], { type: "catalog" }>, "parameters">
    | Optional<Extract<CreateAppBody["source"], { type: "git" }>, "ref" | "buildMode">;
  target: Optional<CreateAppBody["target"], "type" | "storage" | "bridge">;
};

export const createApp = (body: CreateAppRequest) => request<App>("POST", "/api/v1/apps", { body });

/** The body of `POST /api/v1/apps/plan`: the node and the Git source fields of a deploy. */
export type PlanAppRequest = {
  nodeId: string;
  source: Optional<PlanAppBody["source"], "ref" | "buildMode">;
};

/** The agent fetches the repository and answers how it would be built (or why not). */
export const planApp = (body: PlanAppRequest) =>
  request<PlanAppResult>("POST", "/api/v1/apps/plan", { body });

export type AppActionName = "start" | "stop" | "restart" | "redeploy";

export const runAppAction = (id: string, action: AppActionName) =>
  request<App>("POST", appPath(id, "/actions"), { body: { action } });

/**
 * Clones an app under a new name. The answer is `{ app, job }` (202); an answer that is the app
 * itself is accepted too, so the dialog keeps working whichever shape the route settles on.
 */
export const cloneApp = (id: string, name: string) =>
  request<{ app: App; job?: Job } | App>("POST", appPath(id, "/clone"), { body: { name } }).then((r) =>
    "app" in r ? r.app : r,
  );

export type AppPatch = {
  cores?: number;
  memoryMb?: number;
  diskGb?: number;
  env?: Record<string, string>;
  /** Pins the Git host's SSH key fingerprint (ssh URLs). */
  hostKey?: string;
};

export const updateApp = (id: string, patch: AppPatch) => request<App>("PATCH", appPath(id), { body: patch });

/** Compares the app's version with the catalog's current one (recorded on the app). */
export const checkAppUpdate = (id: string) => request<AppUpdate>("POST", appPath(id, "/update-check"));

/** Updates a catalog app to the catalog's version: one job, rolled back when it fails its health check. */
export const updateAppVersion = (id: string) => request<App>("POST", appPath(id, "/update"));

/** Switches the installation's automation policy (admins). */
export const setAutomation = (automation: AutomationPolicy) =>
  request<{ automation: AutomationPolicy; appsApplied: number; schedulesApplied: boolean }>(
    "PUT",
    "/api/v1/settings/automation",
    { body: { automation } },
  );

export const deleteApp = (id: string, keepBackups: boolean) =>
  request<App>("DELETE", appPath(id), { query: { keepBackups } });

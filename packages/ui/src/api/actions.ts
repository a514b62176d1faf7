// Writes: one function per mutation the dashboard makes.
import type { ApiToken, Job, Node, Role, Scope, User } from "@pylon/shared";
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

export type Enrollment = { token: string; expiresAt: string; installCommand: string };
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

export const revokeCredential = (nodeId: string) =>
  request<Node>("POST", nodePath(nodeId, "/credential/revoke"));

export const deleteNode = (nodeId: string) => request<void>("DELETE", nodePath(nodeId));

export const cancelJob = (id: string) =>
  request<Job>("POST", `/api/v1/jobs/${encodeURIComponent(id)}/cancel`);

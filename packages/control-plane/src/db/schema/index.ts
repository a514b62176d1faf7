export * from "./api-tokens.ts";
export * from "./audit-log.ts";
export * from "./login-throttle.ts";
export * from "./sessions.ts";
export * from "./setup-tokens.ts";
export * from "./users.ts";

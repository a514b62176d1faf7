export * from "./api/audit.ts";
export * from "./api/auth.ts";
export * from "./api/common.ts";
export * from "./api/roles.ts";
export * from "./api/tokens.ts";
export * from "./api/users.ts";
export * from "./errors.ts";
export * from "./protocol/index.ts";

export * from "./app-jobs.ts";
export * from "./backup-jobs.ts";
export * from "./frames.ts";
export * from "./jobs.ts";
export * from "./limits.ts";
export * from "./parse.ts";
export * from "./schedule-frames.ts";
export * from "./vm-template.ts";

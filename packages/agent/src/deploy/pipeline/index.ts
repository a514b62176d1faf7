/** The app.* job handlers and their one-time setup (`configureAppJobs(await appJobDepsFromConfig(config))`). */
export { appDeploy } from "./deploy.ts";
export { type AppJobDeps, appJobDepsFromConfig, configureAppJobs } from "./deps.ts";
export { appDiagnostics } from "./diagnostics.ts";
export { appLogs } from "./logs.ts";
export { appAction, appDelete, appResize } from "./manage.ts";
export { appPlan } from "./plan.ts";
export { nodeVmTemplate } from "./prepare-template.ts";

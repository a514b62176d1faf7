/** The backup, drill, backup-volume and snapshot job handlers (loaded with the app pipeline). */
export { appDrill } from "./drill.ts";
export { appBackup, appPrune, appVolume } from "./handlers.ts";
export { appSnapshot } from "./snapshots.ts";

export { atLeast, compareVersions, newest } from "@pylon/shared/versions";

export { GuestAgentRunner, type GuestAgentRunnerOptions, type PveRequester } from "./guest-agent.ts";
export { type HostKey, HostKeyMismatchError, scanHostKey } from "./host-key.ts";
export { PctRunner, type PctRunnerOptions } from "./pct.ts";
export { PctSessionRunner } from "./pct-session.ts";
export { SshRunner, type SshRunnerOptions } from "./ssh.ts";
export {
  type CommandRunner,
  type PushSource,
  RunAbortedError,
  RunnerError,
  type RunOptions,
  type RunResult,
  RunTimeoutError,
} from "./types.ts";

import type { Resource } from "solid-js";

/** The resource's latest value, or undefined while it is in error (reading `latest` then throws). */
export function latest<T>(r: Resource<T>): T | undefined {
  return r.state === "errored" ? undefined : r.latest;
}

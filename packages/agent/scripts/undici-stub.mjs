// proxmox-api imports `fetch` from undici only as a default; the agent always passes its own
// CA-pinned fetch (src/proxmox/https-fetch.ts), so the bundle carries this stub instead of
// ~400 kB of undici the agent would load and never call.
export function fetch() {
  throw new Error("proxmox-api default fetch is not bundled; pass a fetch");
}

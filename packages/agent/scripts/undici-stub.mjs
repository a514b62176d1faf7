// proxmox-api's default engine imports `fetch` from undici. The agent never uses that engine
// (it passes its own request engine, src/proxmox/engine.ts), so the bundle carries this stub
// instead of undici: smaller file, and the fetch stack is never loaded (~10 MB of RSS).
export function fetch() {
  throw new Error("proxmox-api's default engine is not bundled in the Pylon agent");
}

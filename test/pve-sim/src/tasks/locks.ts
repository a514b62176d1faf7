import { fail } from "../server/errors.ts";

// The second lock layer of PVE: a flock on a per-VMID file, taken exclusive (or shared for
// clones of a stopped VM) around config changes and most workers. Waiters give up after a
// timeout with PVE's text.

/** The lock file PVE uses for a guest. */
export function lockFile(kind: "lxc" | "qemu", vmid: number): string {
  return kind === "lxc" ? `/run/lock/lxc/pve-config-${vmid}.lock` : `/var/lock/qemu-server/lock-${vmid}.conf`;
}

interface Waiter {
  shared: boolean;
  grant: () => void;
}

interface LockState {
  exclusive: boolean;
  holders: number;
  queue: Waiter[];
}

/** Per-VMID reader/writer locks with timeouts. */
export class VmidLocks {
  private readonly locks = new Map<number, LockState>();

  /** Takes the lock, waiting at most `timeoutMs`; resolves to a release function. */
  acquire(vmid: number, kind: "lxc" | "qemu", timeoutMs: number, shared = false): Promise<() => void> {
    let st = this.locks.get(vmid);
    if (!st) {
      st = { exclusive: false, holders: 0, queue: [] };
      this.locks.set(vmid, st);
    }
    const state = st;
    const release = (): void => {
      state.holders--;
      if (state.holders === 0) state.exclusive = false;
      this.pump(vmid, state);
    };
    if (this.canGrant(state, shared) && state.queue.length === 0) {
      this.take(state, shared);
      return Promise.resolve(once(release));
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        shared,
        grant: () => {
          clearTimeout(timer);
          resolve(once(release));
        },
      };
      const timer = setTimeout(() => {
        state.queue = state.queue.filter((w) => w !== waiter);
        reject(fail(`can't lock file '${lockFile(kind, vmid)}' - got timeout`));
      }, timeoutMs);
      state.queue.push(waiter);
    });
  }

  /** Runs `fn` under the lock. */
  async with<T>(
    vmid: number,
    kind: "lxc" | "qemu",
    timeoutMs: number,
    fn: () => Promise<T> | T,
    shared = false,
  ): Promise<T> {
    const release = await this.acquire(vmid, kind, timeoutMs, shared);
    try {
      return await fn();
    } finally {
      release();
    }
  }

  /** Whether anyone holds or waits for a lock (state inspection). */
  busy(): number[] {
    return [...this.locks.entries()].filter(([, s]) => s.holders > 0 || s.queue.length > 0).map(([v]) => v);
  }

  private canGrant(st: LockState, shared: boolean): boolean {
    if (st.holders === 0) return true;
    return shared && !st.exclusive;
  }

  private take(st: LockState, shared: boolean): void {
    st.holders++;
    st.exclusive = !shared;
  }

  private pump(vmid: number, st: LockState): void {
    while (st.queue.length && this.canGrant(st, st.queue[0]!.shared)) {
      const w = st.queue.shift()!;
      this.take(st, w.shared);
      w.grant();
    }
    if (st.holders === 0 && st.queue.length === 0) this.locks.delete(vmid);
  }
}

function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (!done) {
      done = true;
      fn();
    }
  };
}

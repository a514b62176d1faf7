/** What an injected fault does to the next matching operation. */
export type FaultAction = "fail" | "hang" | "warn" | "delay";

/** A fault rule: which operation it matches and what happens. Matching fields are ANDed. */
export interface FaultRule {
  id: number;
  /** HTTP method of the API request (GET, POST, ...). */
  method?: string;
  /** Regular expression tested against the API path below /api2/json (e.g. `/lxc/\d+/status/start$`). */
  path?: string;
  /** Task type (vzcreate, qmstart, vzdump, ...). */
  taskType?: string;
  vmid?: number;
  action: FaultAction;
  /** The error text for `fail` (the task ends `TASK ERROR: <message>`), or the warning for `warn`. */
  message?: string;
  /** For `delay`: real milliseconds the task takes longer (a slow storage, a busy node). */
  ms?: number;
  /** How many operations it applies to (default 1). */
  times?: number;
}

/** The set of pending faults; each matching operation consumes one use. */
export class Faults {
  private rules: FaultRule[] = [];
  private nextId = 1;

  /** Registers a rule and returns it with its id. */
  add(rule: Omit<FaultRule, "id">): FaultRule {
    const r = { ...rule, id: this.nextId++, times: rule.times ?? 1 };
    this.rules.push(r);
    return r;
  }

  /** Pending rules. */
  list(): FaultRule[] {
    return [...this.rules];
  }

  /** Removes every rule. */
  clear(): void {
    this.rules = [];
  }

  /** Takes the first rule matching a request (method + path, and vmid if the rule names one). */
  takeForRequest(method: string, path: string, vmid: number | undefined): FaultRule | undefined {
    return this.take(
      (r) =>
        (r.method !== undefined || r.path !== undefined) &&
        r.taskType === undefined &&
        (r.method === undefined || r.method.toUpperCase() === method) &&
        (r.path === undefined || new RegExp(r.path).test(path)) &&
        (r.vmid === undefined || r.vmid === vmid),
    );
  }

  /** Takes the first rule matching a task by type (and vmid if the rule names one). */
  takeForTask(type: string, vmid: number | undefined): FaultRule | undefined {
    return this.take(
      (r) => r.taskType !== undefined && r.taskType === type && (r.vmid === undefined || r.vmid === vmid),
    );
  }

  private take(pred: (r: FaultRule) => boolean): FaultRule | undefined {
    const r = this.rules.find(pred);
    if (!r) return undefined;
    r.times = (r.times ?? 1) - 1;
    if (r.times <= 0) this.rules = this.rules.filter((x) => x !== r);
    return r;
  }
}

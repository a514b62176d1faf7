import type { User } from "@pylon/shared";
import { createSignal, For } from "solid-js";
import type { ApiError } from "../../api/client.ts";
import type { AuditFilter } from "../../api/queries.ts";
import { Button } from "../../components/Button.tsx";
import { ErrorMessage } from "../../components/ErrorMessage.tsx";
import { Field } from "../../components/Field.tsx";
import { SelectField } from "../../components/SelectField.tsx";

/** Actions the API records today; the field also takes any exact action or a prefix ending in ".". */
const KNOWN_ACTIONS = [
  "auth.",
  "auth.login",
  "auth.logout",
  "auth.password",
  "setup.complete",
  "users.",
  "users.create",
  "users.update",
  "users.delete",
  "tokens.",
  "tokens.create",
  "tokens.revoke",
];

/** A local date-time from an <input type="datetime-local"> as ISO-8601 UTC, or undefined. */
function toIso(local: string): string | undefined {
  if (!local) return undefined;
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

interface AuditFiltersProps {
  users: User[];
  busy: boolean;
  error: ApiError | null;
  onApply: (f: AuditFilter) => void;
}

/** Filters for the audit log: actor, action (or prefix), target and a time range. */
export function AuditFilters(props: AuditFiltersProps) {
  const [actor, setActor] = createSignal("");
  const [action, setAction] = createSignal("");
  const [target, setTarget] = createSignal("");
  const [since, setSince] = createSignal("");
  const [until, setUntil] = createSignal("");
  const actors = () => [
    { value: "", label: "Anyone" },
    ...props.users.map((u) => ({ value: u.id, label: `${u.name} (${u.email})` })),
  ];
  const apply = (e: SubmitEvent) => {
    e.preventDefault();
    props.onApply({
      actor: actor() || undefined,
      action: action().trim() || undefined,
      target: target().trim() || undefined,
      since: toIso(since()),
      until: toIso(until()),
    });
  };
  const reset = () => {
    for (const set of [setActor, setAction, setTarget, setSince, setUntil]) set("");
    props.onApply({});
  };
  return (
    <form class="card filters" onSubmit={apply} aria-label="Audit filters" novalidate>
      <div class="grid-3">
        <SelectField
          label="Actor"
          name="actor"
          value={actor()}
          onValue={setActor}
          options={actors()}
          error={props.error?.field("actor")}
        />
        <Field
          label="Action"
          name="action"
          list="audit-actions"
          placeholder="e.g. users. or tokens.create"
          value={action()}
          onValue={setAction}
          error={props.error?.field("action")}
        />
        <datalist id="audit-actions">
          <For each={KNOWN_ACTIONS}>{(a) => <option value={a} />}</For>
        </datalist>
        <Field
          label="Target"
          name="target"
          placeholder="id or email"
          value={target()}
          onValue={setTarget}
          error={props.error?.field("target")}
        />
        <Field
          label="From"
          type="datetime-local"
          name="since"
          value={since()}
          onValue={setSince}
          error={props.error?.field("since")}
        />
        <Field
          label="Until"
          type="datetime-local"
          name="until"
          value={until()}
          onValue={setUntil}
          error={props.error?.field("until")}
        />
      </div>
      <ErrorMessage
        error={props.error?.fields.length ? props.error : null}
        fields={["actor", "action", "target", "since", "until"]}
      />
      <div class="actions">
        <Button onClick={reset}>Clear</Button>
        <Button type="submit" variant="primary" busy={props.busy} busyLabel="Filtering…">
          Apply filters
        </Button>
      </div>
    </form>
  );
}

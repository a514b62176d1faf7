import type { User } from "@pylon/shared";
import { Show } from "solid-js";
import { createAction } from "../../api/action.ts";
import { updateUser } from "../../api/actions.ts";
import { Badge } from "../../components/Badge.tsx";
import { Button } from "../../components/Button.tsx";
import { Time } from "../../components/Time.tsx";
import { currentUser, updateCurrentUser } from "../../context/session.ts";

interface UserRowProps {
  user: User;
  onEdit: (u: User) => void;
  onDelete: (u: User) => void;
  onChanged: (message: string) => void;
}

/** One user: who, role, state, and the actions on them (disable/enable right here). */
export function UserRow(props: UserRowProps) {
  const toggle = createAction(updateUser);
  const isMe = () => currentUser()?.id === props.user.id;
  const flip = async () => {
    const u = await toggle.run(props.user.id, { disabled: !props.user.disabled });
    if (u) {
      updateCurrentUser(u);
      props.onChanged(`${u.name} ${u.disabled ? "disabled: they can no longer sign in" : "enabled"}.`);
    }
  };
  return (
    <tr>
      <td data-label="Name">
        <strong>{props.user.name}</strong>
        <Show when={isMe()}>
          {" "}
          <span class="muted">(you)</span>
        </Show>
      </td>
      <td data-label="Email">{props.user.email}</td>
      <td data-label="Role">
        <Badge tone={props.user.role === "admin" ? "accent" : "neutral"}>{props.user.role}</Badge>
      </td>
      <td data-label="Status">
        <Show when={props.user.disabled} fallback={<Badge tone="good">active</Badge>}>
          <Badge tone="bad">disabled</Badge>
        </Show>
      </td>
      <td data-label="Created">
        <Time at={props.user.createdAt} />
      </td>
      <td class="row-actions">
        <Button onClick={() => props.onEdit(props.user)} aria-label={`Edit ${props.user.name}`}>
          Edit
        </Button>
        <Button
          onClick={flip}
          busy={toggle.pending()}
          aria-label={`${props.user.disabled ? "Enable" : "Disable"} ${props.user.name}`}
        >
          {props.user.disabled ? "Enable" : "Disable"}
        </Button>
        <Button
          variant="danger"
          onClick={() => props.onDelete(props.user)}
          aria-label={`Delete ${props.user.name}`}
        >
          Delete
        </Button>
        <Show when={toggle.error()}>
          {(e) => (
            <p class="field-error" role="alert">
              {e().message}
            </p>
          )}
        </Show>
      </td>
    </tr>
  );
}

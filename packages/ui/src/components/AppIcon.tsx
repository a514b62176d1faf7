import { Show } from "solid-js";

/**
 * A catalog app's icon, or a letter avatar when there is none. The SVG is shown through an
 * <img> from a data URI: the catalog schema already refuses scripts, and an image cannot run any.
 */
export function AppIcon(props: { icon?: string | null; name: string; size?: number }) {
  const src = () => {
    const icon = props.icon?.trim();
    if (!icon) return null;
    return icon.startsWith("data:") ? icon : `data:image/svg+xml;charset=utf-8,${encodeURIComponent(icon)}`;
  };
  const size = () => `${props.size ?? 40}px`;
  return (
    <Show
      when={src()}
      fallback={
        <span class="app-icon app-letter" style={{ width: size(), height: size() }} aria-hidden="true">
          {props.name.slice(0, 1).toUpperCase()}
        </span>
      }
    >
      {(s) => <img class="app-icon" src={s()} alt="" width={props.size ?? 40} height={props.size ?? 40} />}
    </Show>
  );
}

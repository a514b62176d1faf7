import { createSignal, onCleanup } from "solid-js";

/** Copies `text` to the clipboard and says so; says so too when the browser refuses. */
export function CopyButton(props: { text: string; label?: string }) {
  const [state, setState] = createSignal<"idle" | "copied" | "failed">("idle");
  let timer: ReturnType<typeof setTimeout> | undefined;
  onCleanup(() => clearTimeout(timer));
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.text);
      setState("copied");
    } catch {
      setState("failed");
    }
    clearTimeout(timer);
    timer = setTimeout(() => setState("idle"), 2500);
  };
  return (
    <button type="button" class="btn btn-secondary" onClick={copy}>
      {state() === "copied"
        ? "Copied"
        : state() === "failed"
          ? "Copy failed: select and copy it"
          : (props.label ?? "Copy")}
      <span class="visually-hidden" role="status">
        {state() === "copied" ? "Copied to the clipboard" : ""}
      </span>
    </button>
  );
}

import { createUniqueId, type JSX, onCleanup, onMount } from "solid-js";

interface DialogProps {
  title: string;
  onClose: () => void;
  children: JSX.Element;
}

/** A modal dialog: focus moves in and is kept inside, Escape closes, focus returns on close. */
export function Dialog(props: DialogProps) {
  const id = createUniqueId();
  let box: HTMLDivElement | undefined;
  const before = document.activeElement as HTMLElement | null;
  const focusables = () =>
    Array.from(
      box?.querySelectorAll<HTMLElement>(
        "button:not([disabled]), input:not([disabled]), select, a[href], textarea",
      ) ?? [],
    );
  const onKey = (e: KeyboardEvent) => {
    if (e.key === "Escape") {
      e.preventDefault();
      props.onClose();
    } else if (e.key === "Tab") {
      const f = focusables();
      const first = f[0];
      const last = f[f.length - 1];
      if (!first || !last) return;
      if (e.shiftKey && document.activeElement === first) {
        e.preventDefault();
        last.focus();
      } else if (!e.shiftKey && document.activeElement === last) {
        e.preventDefault();
        first.focus();
      }
    }
  };
  onMount(() => {
    const f = focusables();
    (box?.querySelector<HTMLElement>("[data-autofocus]") ?? f[0] ?? box)?.focus();
  });
  onCleanup(() => before?.focus?.());
  return (
    <div class="backdrop">
      <div
        class="dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby={id}
        ref={box}
        tabIndex={-1}
        onKeyDown={onKey}
      >
        <h2 id={id}>{props.title}</h2>
        {props.children}
      </div>
    </div>
  );
}

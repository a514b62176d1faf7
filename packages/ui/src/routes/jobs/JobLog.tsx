import { createEffect, createSignal, For, on, Show } from "solid-js";
import type { LogLine } from "./job-view.ts";

const timeOf = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });

/**
 * Log lines as they arrive. Follows the end while the reader is at the bottom; once they scroll
 * up it stays put and offers a button back to the newest line.
 */
export function JobLog(props: { lines: LogLine[]; label?: string; empty?: string }) {
  let box: HTMLDivElement | undefined;
  const [follow, setFollow] = createSignal(true);
  const atBottom = () => !box || box.scrollHeight - box.scrollTop - box.clientHeight < 24;
  const toEnd = () => {
    if (box) box.scrollTop = box.scrollHeight;
  };
  createEffect(
    on(
      () => props.lines.length,
      () => {
        if (follow()) toEnd();
      },
    ),
  );
  return (
    <div class="log-wrap">
      <div
        class="log"
        ref={box}
        role="log"
        aria-label={props.label ?? "Job log"}
        onScroll={() => setFollow(atBottom())}
      >
        <Show
          when={props.lines.length > 0}
          fallback={<p class="muted">{props.empty ?? "No log lines yet."}</p>}
        >
          <For each={props.lines}>
            {(l) => (
              <div class={`log-line log-${l.level}`} data-seq={l.seq}>
                <time datetime={l.at}>{timeOf.format(new Date(l.at))}</time>
                <span>{l.message}</span>
              </div>
            )}
          </For>
        </Show>
      </div>
      <Show when={!follow()}>
        <button
          type="button"
          class="btn btn-secondary log-jump"
          onClick={() => {
            setFollow(true);
            toEnd();
          }}
        >
          ↓ Newest lines
        </button>
      </Show>
    </div>
  );
}

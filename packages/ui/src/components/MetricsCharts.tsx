import { createEffect, createResource, createSignal, onCleanup, Show } from "solid-js";
import { asApiError } from "../api/client.ts";
import type { MetricsPoint } from "../api/queries.ts";
import { latest } from "../lib/latest.ts";
import { createPoll } from "../lib/poll.ts";
import { ErrorMessage } from "./ErrorMessage.tsx";
import type { ChartWindow } from "./metrics-plot.ts";

const HOURS = 24;

/**
 * CPU, memory and storage use over the last day of a node or an app (`load` fetches the samples
 * of `id`), one sample a minute; uPlot loads on demand.
 */
export function MetricsCharts(props: {
  id: string;
  load: (id: string, since: string) => Promise<MetricsPoint[]>;
}) {
  // The window is the one the title names, taken when the samples are asked for.
  let window: ChartWindow = { from: 0, to: 0 };
  const [points, { refetch }] = createResource(
    () => props.id,
    (id) => {
      const to = Date.now();
      window = { from: to - HOURS * 3600_000, to };
      return props.load(id, new Date(window.from).toISOString());
    },
  );
  createPoll(
    () => void refetch(),
    () => 60_000,
  );
  const [box, setBox] = createSignal<HTMLDivElement>();
  let dispose: (() => void) | undefined;
  let drawn = 0;
  onCleanup(() => {
    drawn++;
    dispose?.();
  });

  const draw = async (el: HTMLDivElement, items: MetricsPoint[]) => {
    const mine = ++drawn;
    // Loaded here, not at start: uPlot stays out of the initial bundle (issue 6 budget).
    const { drawMetrics } = await import("./metrics-plot.ts");
    if (mine !== drawn) return;
    dispose?.();
    dispose = drawMetrics(el, items, window);
  };
  createEffect(() => {
    const el = box();
    const items = latest(points);
    if (el?.isConnected && items?.length) void draw(el, items);
  });

  return (
    <section class="card" aria-labelledby="metrics-title">
      <h2 id="metrics-title">Usage over the last {HOURS} hours</h2>
      <Show when={points.error}>
        <ErrorMessage error={asApiError(points.error)} />
      </Show>
      <Show
        when={(latest(points)?.length ?? 0) > 0}
        fallback={
          <p class="empty">
            {points.loading ? "Loading figures…" : "No figures yet: the agent sends one a minute."}
          </p>
        }
      >
        <div
          class="chart"
          role="img"
          aria-label="CPU, memory and storage use over time, in percent"
          ref={setBox}
        />
      </Show>
    </section>
  );
}

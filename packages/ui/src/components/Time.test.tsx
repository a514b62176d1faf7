import { cleanup, render, screen } from "@solidjs/testing-library";
import { createSignal } from "solid-js";
import { afterEach, expect, it } from "vitest";
import { Time } from "./Time.tsx";

afterEach(cleanup);

it("follows the timestamp as it changes (a job that finishes while on screen)", () => {
  const [at, setAt] = createSignal<string | null>(null);
  render(() => <Time at={at()} never="not yet" />);
  expect(screen.getByText("not yet")).toBeTruthy();
  setAt(new Date().toISOString());
  expect(screen.getByText("just now")).toBeTruthy();
  expect(screen.queryByText("not yet")).toBeNull();
});

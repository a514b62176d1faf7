import { cleanup, fireEvent, render, screen } from "@solidjs/testing-library";
import { createSignal } from "solid-js";
import { afterEach, expect, it } from "vitest";
import { Field } from "./Field.tsx";

afterEach(cleanup);

it("labels its input and shows its error under it, linked for screen readers", () => {
  const [value, setValue] = createSignal("");
  const [error, setError] = createSignal<string | undefined>();
  render(() => (
    <Field label="Email" value={value()} onValue={setValue} error={error()} hint="Your work address" />
  ));
  const input = screen.getByLabelText("Email") as HTMLInputElement;
  fireEvent.input(input, { target: { value: "ada@example.com" } });
  expect(value()).toBe("ada@example.com");
  expect(input.getAttribute("aria-invalid")).toBeNull();
  setError("must be an email address");
  expect(input.getAttribute("aria-invalid")).toBe("true");
  const described = (input.getAttribute("aria-describedby") ?? "")
    .split(" ")
    .map((id) => document.getElementById(id)?.textContent);
  expect(described).toEqual(["must be an email address", "Your work address"]);
});

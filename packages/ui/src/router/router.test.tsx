import { cleanup, fireEvent, render, screen } from "@solidjs/testing-library";
import { afterEach, expect, it } from "vitest";
import { currentPath, Link, navigate } from "./router.tsx";

afterEach(cleanup);

it("navigates in the page on a plain click and marks the current link", () => {
  navigate("/account", { replace: true });
  render(() => (
    <>
      <Link href="/account">Account</Link>
      <Link href="/tokens">Tokens</Link>
    </>
  ));
  const tokens = screen.getByRole("link", { name: "Tokens" });
  expect(screen.getByRole("link", { name: "Account" }).getAttribute("aria-current")).toBe("page");
  fireEvent.click(tokens);
  expect(currentPath()).toBe("/tokens");
  expect(location.pathname).toBe("/tokens");
  expect(tokens.getAttribute("aria-current")).toBe("page");
});

it("leaves modified clicks (new tab, new window) to the browser", () => {
  navigate("/account", { replace: true });
  render(() => <Link href="/tokens">Tokens</Link>);
  const event = new MouseEvent("click", { bubbles: true, cancelable: true, ctrlKey: true });
  screen.getByRole("link", { name: "Tokens" }).dispatchEvent(event);
  expect(event.defaultPrevented).toBe(false);
  expect(currentPath()).toBe("/account");
});

it("follows back and forward", () => {
  navigate("/account", { replace: true });
  history.pushState(null, "", "/admin/audit");
  dispatchEvent(new PopStateEvent("popstate"));
  expect(currentPath()).toBe("/admin/audit");
});

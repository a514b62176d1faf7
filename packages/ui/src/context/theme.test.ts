import { expect, it } from "vitest";
import { currentTheme, setTheme, toggleTheme } from "./theme.ts";

it("switches theme on <html> and remembers the choice", () => {
  setTheme("light");
  toggleTheme();
  expect(currentTheme()).toBe("dark");
  expect(document.documentElement.dataset.theme).toBe("dark");
  expect(localStorage.getItem("pylon-theme")).toBe("dark");
  toggleTheme();
  expect(localStorage.getItem("pylon-theme")).toBe("light");
});

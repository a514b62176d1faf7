import { CATALOG_APPS } from "@pylon/shared/catalog/index";
import { cleanup, render } from "@solidjs/testing-library";
import { afterEach, expect, it } from "vitest";
import { AppIcon } from "./AppIcon.tsx";

afterEach(cleanup);

/** Decodes an <img> data URI the way a browser does and parses it as SVG. */
function decodeSvg(src: string): Document {
  const comma = src.indexOf(",");
  const text = decodeURIComponent(src.slice(comma + 1));
  return new DOMParser().parseFromString(text, "image/svg+xml");
}

it.each(CATALOG_APPS.map((e) => [e.id, e] as const))("the %s icon is well-formed SVG", (_id, entry) => {
  const { container } = render(() => <AppIcon icon={entry.icon} name={entry.name} />);
  const img = container.querySelector("img");
  expect(img?.getAttribute("src")).toMatch(/^data:image\/svg\+xml/);
  const doc = decodeSvg(img?.getAttribute("src") ?? "");
  expect(doc.getElementsByTagName("parsererror").length).toBe(0);
  expect(doc.documentElement.nodeName).toBe("svg");
});

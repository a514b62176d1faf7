import type { CatalogParameter } from "../schema.ts";

/**
 * An original catalog icon: a rounded tile in the app's colour with a short monogram. Authored
 * here, inline, so the catalog never fetches anything from the network.
 */
export function monogramIcon(color: string, letters: string, textColor = "#ffffff"): string {
  // Escaped for XML: an unescaped `<` (code-server's "</>") makes the SVG fail to decode.
  const text = xmlEscape(letters);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" role="img" aria-label="${text}">` +
    `<rect width="64" height="64" rx="14" fill="${color}"/>` +
    `<text x="32" y="41" font-family="system-ui,sans-serif" font-size="${letters.length > 2 ? 18 : 24}" ` +
    `font-weight="700" text-anchor="middle" fill="${textColor}">${text}</text></svg>`
  );
}

/** Text made safe for XML content and attribute values. */
export function xmlEscape(s: string): string {
  return s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The time-zone parameter most apps take (TZ and friends). */
export function timezoneParameter(): CatalogParameter {
  return {
    name: "timezone",
    label: "Time zone",
    type: "string",
    format: "timezone",
    default: "Etc/UTC",
    required: true,
    description: "IANA time zone used for schedules and timestamps",
  };
}

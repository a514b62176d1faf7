// A small router: the path is a signal, links push history entries, back/forward update it.
// (@solidjs/router would do, but this is all the dashboard needs, at a fraction of the bytes.)
import { createSignal, type JSX, splitProps } from "solid-js";

const [path, setPath] = createSignal(typeof location === "undefined" ? "/" : location.pathname);
if (typeof window !== "undefined") window.addEventListener("popstate", () => setPath(location.pathname));

/** The current path (no query, no fragment). */
export const currentPath = path;

/** Goes to `to` inside the app; `replace` rewrites the current history entry instead. */
export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  if (opts.replace) history.replaceState(null, "", to);
  else history.pushState(null, "", to);
  setPath(location.pathname);
}

type LinkProps = Omit<JSX.AnchorHTMLAttributes<HTMLAnchorElement>, "onClick"> & {
  href: string;
  /** Called after an in-app navigation (e.g. to close the phone menu). */
  onNavigate?: () => void;
  /** Marks the link current (default: when its path is open). */
  current?: boolean;
};

/** An anchor that navigates without reloading; marks itself current when its path is open. */
export function Link(props: LinkProps) {
  const [local, rest] = splitProps(props, ["href", "onNavigate", "current"]);
  const onClick = (e: MouseEvent) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(local.href);
    local.onNavigate?.();
  };
  return (
    <a
      {...rest}
      href={local.href}
      onClick={onClick}
      aria-current={(local.current ?? path() === local.href) ? "page" : undefined}
    />
  );
}

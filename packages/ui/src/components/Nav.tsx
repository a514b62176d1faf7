import { For, Show } from "solid-js";
import { roleAtLeast } from "../api/roles.ts";
import { currentUser } from "../context/session.ts";
import { currentPath, Link } from "../router/router.tsx";
import { NAV_SECTIONS, navItemFor } from "../routes/table.ts";

/** The side navigation; admin entries only for admins. */
export function Nav(props: { onNavigate?: () => void }) {
  const visible = (role: Parameters<typeof roleAtLeast>[1]) => {
    const u = currentUser();
    return !!u && roleAtLeast(u.role, role);
  };
  return (
    <nav class="nav" aria-label="Main">
      <For each={NAV_SECTIONS}>
        {(section) => (
          <Show when={visible(section.role)}>
            <div class="nav-section">
              <Show when={section.title}>
                <h2 class="nav-title">{section.title}</h2>
              </Show>
              <ul>
                <For each={section.items}>
                  {(item) => (
                    <li>
                      <Link
                        href={item.path}
                        onNavigate={props.onNavigate}
                        current={navItemFor(currentPath()) === item.path}
                      >
                        {item.label}
                      </Link>
                    </li>
                  )}
                </For>
              </ul>
            </div>
          </Show>
        )}
      </For>
    </nav>
  );
}

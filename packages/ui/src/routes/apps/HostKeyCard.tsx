import type { App } from "@pylon/shared";
import { createSignal, Show } from "solid-js";
import { createAction } from "../../api/action.ts";
import { updateApp } from "../../api/actions.ts";
import { Button } from "../../components/Button.tsx";
import { ErrorMessage } from "../../components/ErrorMessage.tsx";
import { Field } from "../../components/Field.tsx";
import { Notice } from "../../components/Notice.tsx";

type GitSource = Extract<App["source"], { type: "git" }>;

const FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}$/;

/**
 * An ssh Git app's host key: the one its deploys require, whether the user pinned it or the
 * first deploy trusted it; pin the one shown, or another the Git host publishes.
 */
export function HostKeyCard(props: { app: App; source: GitSource; onChanged: (a: App) => void }) {
  const key = () => props.source.hostKey;
  const [typed, setTyped] = createSignal("");
  const [problem, setProblem] = createSignal<string | undefined>();
  const pin = createAction(updateApp);
  const send = async (fingerprint: string) => {
    const a = await pin.run(props.app.id, { hostKey: fingerprint });
    if (a) {
      setTyped("");
      props.onChanged(a);
    }
  };
  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    const fp = typed().trim();
    setProblem(FINGERPRINT.test(fp) ? undefined : "must be an SSH host key fingerprint like SHA256:…");
    if (!problem()) void send(fp);
  };
  return (
    <section class="card" aria-labelledby="hostkey-title">
      <h2 id="hostkey-title">Git host key</h2>
      <Show
        when={key()}
        fallback={<p class="muted">Not seen yet: the first deploy trusts the key the Git host offers.</p>}
      >
        {(k) => (
          <>
            <p>
              Deploys require <code data-testid="host-key">{k().fingerprint}</code>
              {k().keyType ? ` (${k().keyType})` : ""}.
            </p>
            <Show
              when={k().pinned}
              fallback={
                <Notice kind="warning">
                  Trusted on first use, not checked by anyone: compare it with the fingerprint your Git host
                  publishes, then pin it.{" "}
                  <Button
                    variant="primary"
                    busy={pin.pending()}
                    busyLabel="Pinning…"
                    onClick={() => void send(k().fingerprint)}
                  >
                    Pin this key
                  </Button>
                </Notice>
              }
            >
              <p class="muted small">Pinned: a host offering another key is refused.</p>
            </Show>
          </>
        )}
      </Show>
      <form onSubmit={submit} novalidate>
        <Field
          label="Pin another fingerprint"
          name="hostKey"
          placeholder="SHA256:…"
          autocomplete="off"
          spellcheck={false}
          hint="When the Git host's key really changed; the next deploy requires it."
          value={typed()}
          onValue={setTyped}
          error={problem() ?? pin.error()?.field("hostKey")}
        />
        <ErrorMessage error={pin.error()} fields={["hostKey"]} />
        <div class="actions">
          <Button type="submit" busy={pin.pending()} busyLabel="Pinning…">
            Pin
          </Button>
        </div>
      </form>
    </section>
  );
}

import { Field } from "../../../components/Field.tsx";
import type { StepProps } from "./step-props.ts";

/** The default host name for an app, as far as the dashboard knows the apps domain. */
export function defaultDomain(name: string, appsDomain: string | null): string {
  return `${name || "<name>"}.${appsDomain ?? "<apps domain>"}`;
}

/** Step 3: the host name the app is served at (optional). */
export function DomainStep(props: StepProps & { appsDomain: string | null }) {
  return (
    <>
      <h2>Domain</h2>
      <p class="muted">
        Pylon's proxy serves the app at this host name over HTTPS. Point the name's DNS at the node first if
        it is not under the apps domain.
      </p>
      <Field
        label="Domain"
        name="domain"
        placeholder={defaultDomain(props.draft.name, props.appsDomain)}
        autocomplete="off"
        spellcheck={false}
        hint={`Optional. Leave empty for ${defaultDomain(props.draft.name, props.appsDomain)}${
          props.appsDomain ? "" : " (the server's PYLON_APPS_DOMAIN)"
        }.`}
        value={props.draft.domain}
        onValue={(v) => props.setDraft("domain", v)}
        error={props.error("domain")}
      />
    </>
  );
}

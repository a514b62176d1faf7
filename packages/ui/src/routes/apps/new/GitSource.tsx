import { Show } from "solid-js";
import { Field } from "../../../components/Field.tsx";
import { SecretField } from "../../../components/SecretField.tsx";
import { SelectField } from "../../../components/SelectField.tsx";
import { type BuildMode, isSshUrl, nameFromRepo } from "./draft.ts";
import type { StepProps } from "./step-props.ts";

// Short labels: the select shares a row with three fields and must not cut its text off.
const BUILD_MODES: { value: BuildMode; label: string }[] = [
  { value: "auto", label: "Detect" },
  { value: "generated", label: "Generated" },
  { value: "dockerfile", label: "Dockerfile" },
  { value: "compose", label: "Compose file" },
];

/** A Git repository to build: URL, ref, subdirectory, build mode, port and deploy key. */
export function GitSource(props: StepProps) {
  const g = () => props.draft.git;
  return (
    <>
      <Field
        label="Repository URL *"
        name="url"
        placeholder="https://github.com/acme/site.git"
        autocomplete="off"
        spellcheck={false}
        hint="https:// for public repositories; ssh:// or user@host:path with a deploy key."
        value={g().url}
        onValue={(v) => {
          props.setDraft("git", "url", v);
          if (!props.draft.nameEdited) props.setDraft("name", nameFromRepo(v));
        }}
        error={props.error("source.url")}
      />
      <div class="grid-2">
        <Field
          label="Branch, tag or commit"
          name="ref"
          value={g().ref}
          onValue={(v) => props.setDraft("git", "ref", v)}
          error={props.error("source.ref")}
        />
        <Field
          label="Subdirectory"
          name="subdirectory"
          placeholder="(the repository root)"
          hint="Where the Dockerfile or compose file is, if not at the root."
          value={g().subdirectory}
          onValue={(v) => props.setDraft("git", "subdirectory", v)}
          error={props.error("source.subdirectory")}
        />
        <SelectField
          label="Build with"
          name="buildMode"
          value={g().buildMode}
          onValue={(v) => props.setDraft("git", "buildMode", v as BuildMode)}
          options={BUILD_MODES}
          hint="Detect: the repository's Dockerfile, else its compose file, else a Dockerfile Pylon generates."
          error={props.error("source.buildMode")}
        />
        <Field
          label="Port the app listens on"
          name="port"
          type="number"
          inputmode="numeric"
          placeholder="(detected)"
          value={g().port}
          onValue={(v) => props.setDraft("git", "port", v)}
          error={props.error("source.port")}
        />
      </div>
      <SecretField
        label="Deploy key"
        multiline
        hint="SSH private key with read access, for ssh URLs. Stored encrypted; never shown again."
        value={g().deployKey}
        onValue={(v) => props.setDraft("git", "deployKey", v)}
        error={props.error("source.deployKey")}
      />
      <Show when={isSshUrl(g().url)}>
        <Field
          label="SSH host key fingerprint"
          name="hostKey"
          placeholder="SHA256:…"
          autocomplete="off"
          spellcheck={false}
          hint="Optional: the Git host's key as it publishes it (ssh-keygen -lf prints it). Without it, the key seen on the first deploy is trusted, shown on the app and required from then on."
          value={g().hostKey}
          onValue={(v) => props.setDraft("git", "hostKey", v)}
          error={props.error("source.hostKey")}
        />
      </Show>
    </>
  );
}

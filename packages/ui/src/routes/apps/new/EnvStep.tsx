import { KeyValueRows } from "../../../components/KeyValueRows.tsx";
import type { StepProps } from "./step-props.ts";

/** Step 4: environment variables, and secrets (stored encrypted, never shown again). */
export function EnvStep(props: StepProps) {
  return (
    <>
      <h2>Variables</h2>
      <KeyValueRows
        legend="Environment variables"
        noun="variable"
        rows={props.draft.env}
        onRows={(rows) => props.setDraft("env", rows)}
        errorFor={(k) => props.error(`env.${k}`)}
        hint="Passed to the app's containers."
      />
      <KeyValueRows
        legend="Secrets"
        noun="secret"
        secret
        rows={props.draft.secrets}
        onRows={(rows) => props.setDraft("secrets", rows)}
        errorFor={(k) => props.error(`secrets.${k}`)}
        hint="Like variables, but stored encrypted and never shown again."
      />
    </>
  );
}

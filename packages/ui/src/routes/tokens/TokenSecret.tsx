import type { ApiToken } from "@pylon/shared";
import { Button } from "../../components/Button.tsx";
import { CopyButton } from "../../components/CopyButton.tsx";

/** The new token's secret, shown this once, with a copy button. */
export function TokenSecret(props: { created: { token: ApiToken; secret: string }; onDone: () => void }) {
  return (
    <section class="card card-highlight" aria-labelledby="secret-title">
      <h2 id="secret-title">Token “{props.created.token.name}” created</h2>
      <p>
        <strong>Copy the secret now: you won't see it again.</strong> Pylon keeps only a hash of it. Send it
        as <code>Authorization: Bearer …</code>
      </p>
      <div class="secret-row">
        <input
          class="secret"
          readOnly
          value={props.created.secret}
          aria-label="Token secret"
          onFocus={(e) => e.currentTarget.select()}
        />
        <CopyButton text={props.created.secret} label="Copy secret" />
      </div>
      <div class="actions">
        <Button onClick={() => props.onDone()}>I have stored it</Button>
      </div>
    </section>
  );
}

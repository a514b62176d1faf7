import { PageHeader } from "../components/PageHeader.tsx";
import { Link } from "../router/router.tsx";
import { HOME } from "./table.ts";

/** An unknown path, or a screen the user's role does not open. */
export function NotFound() {
  return (
    <>
      <PageHeader
        title="Page not found"
        description="There is no page here, or your role does not open it."
      />
      <p>
        <Link href={HOME}>Go to the overview</Link>
      </p>
    </>
  );
}

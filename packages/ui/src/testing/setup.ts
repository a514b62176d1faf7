import { configure } from "@solidjs/testing-library";

// findBy*/waitFor give up after 1 s by default; on a loaded 2-core machine a screen can take
// longer to render. Only how long a real failure takes to show changes.
configure({ asyncUtilTimeout: 10_000 });

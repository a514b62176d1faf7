import { render } from "solid-js/web";
import { App } from "./App.tsx";
import { applyStoredTheme } from "./context/theme.ts";
import "./styles/base.css";
import "./styles/layout.css";
import "./styles/components.css";
import "./styles/forms.css";
import "./styles/tables.css";
import "./styles/overlays.css";
import "./styles/nodes.css";
import "./styles/apps.css";
import "./styles/backups.css";

applyStoredTheme();
const root = document.getElementById("root");
if (root) render(() => <App />, root);

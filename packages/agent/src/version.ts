/** The agent daemon lands with the agent-link issue (#4); see DESIGN.md §3. */
export const AGENT_VERSION = "0.0.0";

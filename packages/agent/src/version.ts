/** The agent's version, reported in enroll and hello. */
export const AGENT_VERSION = "0.1.0";

import type { z } from "zod";
import {
  type AgentFrame,
  agentFrameSchema,
  PROTOCOL_VERSION,
  type ServerFrame,
  serverFrameSchema,
} from "./frames.ts";

/** A frame that could not be accepted, with a reason fit to log once and send back. */
export interface FrameError {
  code: "invalid_frame" | "unsupported_version";
  message: string;
  /** The job the frame names, when it names one (a refusal is answered about that job). */
  jobId?: string;
}

function jobIdOf(raw: unknown): string | undefined {
  if (typeof raw !== "object" || raw === null || !("jobId" in raw)) return undefined;
  const id = raw.jobId;
  return typeof id === "string" && id.length >= 1 && id.length <= 64 ? id : undefined;
}

export type Parsed<T> = { ok: true; frame: T } | { ok: false; error: FrameError };

function parseWith<T>(schema: z.ZodType<T>, text: string): Parsed<T> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, error: { code: "invalid_frame", message: "frame is not JSON" } };
  }
  const jobId = jobIdOf(raw);
  if (typeof raw === "object" && raw !== null && "v" in raw && raw.v !== PROTOCOL_VERSION) {
    return {
      ok: false,
      error: {
        code: "unsupported_version",
        message: `protocol version ${String(raw.v).slice(0, 20)} is not ${PROTOCOL_VERSION}`,
        ...(jobId ? { jobId } : {}),
      },
    };
  }
  const result = schema.safeParse(raw);
  if (result.success) return { ok: true, frame: result.data };
  const issue = result.error.issues[0];
  const where = issue?.path.length ? issue.path.join(".").slice(0, 200) : "frame";
  return {
    ok: false,
    error: {
      code: "invalid_frame",
      message: `${where}: ${issue?.message.slice(0, 500) ?? "invalid"}`,
      ...(jobId ? { jobId } : {}),
    },
  };
}

/** The control plane's one parser for what an agent sends. */
export function parseAgentFrame(text: string): Parsed<AgentFrame> {
  return parseWith(agentFrameSchema, text);
}

/** The agent's one parser for what the control plane sends. */
export function parseServerFrame(text: string): Parsed<ServerFrame> {
  return parseWith(serverFrameSchema, text);
}

type Without<T> = T extends unknown ? Omit<T, "v"> : never;

/** Serialises a frame, adding the protocol version. */
export function encodeFrame(frame: Without<AgentFrame> | Without<ServerFrame>): string {
  return JSON.stringify({ v: PROTOCOL_VERSION, ...frame });
}

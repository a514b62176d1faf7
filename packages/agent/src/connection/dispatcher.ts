import { parseServerFrame, type ServerFrame } from "@pylon/shared/protocol/index";
import type { SendFrame } from "../jobs/runner.ts";
import type { Logger } from "../log.ts";

type FrameOf<T extends ServerFrame["type"]> = Extract<ServerFrame, { type: T }>;

/** Where each kind of server frame goes. */
export interface FrameHandlers {
  welcome(frame: FrameOf<"welcome">): void;
  heartbeat(frame: FrameOf<"heartbeat">): void;
  offer(frame: FrameOf<"offer">): void;
  cancel(frame: FrameOf<"cancel">): void;
  ack(frame: FrameOf<"ack">): void;
  status(frame: FrameOf<"status">): void;
  rotate(frame: FrameOf<"rotate">): void;
  update(frame: FrameOf<"update">): void;
  error(frame: FrameOf<"error">): void;
  schedules(frame: FrameOf<"schedules">): void;
}

/**
 * Routes text frames from the control plane through the one parser. An invalid frame is
 * answered with an `error` frame and logged once per distinct problem per connection, so a
 * misbehaving server cannot flood the log; it is never cast or half-handled.
 */
export function createDispatcher(handlers: FrameHandlers, log: Logger, send: SendFrame) {
  const seen = new Set<string>();
  let suppressed = 0;
  return {
    /** Handles one text frame. */
    dispatch(text: string): void {
      const parsed = parseServerFrame(text);
      if (!parsed.ok) {
        const { code, message } = parsed.error;
        if (seen.size < 100 && !seen.has(message)) {
          seen.add(message);
          log.warn("invalid frame from the control plane", { code, problem: message });
        } else suppressed++;
        send({ type: "error", code, message });
        return;
      }
      const frame = parsed.frame;
      switch (frame.type) {
        case "welcome":
          handlers.welcome(frame);
          break;
        case "heartbeat":
          handlers.heartbeat(frame);
          break;
        case "offer":
          handlers.offer(frame);
          break;
        case "cancel":
          handlers.cancel(frame);
          break;
        case "ack":
          handlers.ack(frame);
          break;
        case "status":
          handlers.status(frame);
          break;
        case "schedules":
          handlers.schedules(frame);
          break;
        case "rotate":
          handlers.rotate(frame);
          break;
        case "update":
          handlers.update(frame);
          break;
        case "error":
          handlers.error(frame);
          break;
      }
    },
    /** Invalid frames not logged again (same problem as one already logged). */
    get suppressed(): number {
      return suppressed;
    },
  };
}

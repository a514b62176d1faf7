// Reading Server-Sent Events from a real streamed response, for tests.

export type SseEvent = { event: string; data: string };

/**
 * Reads SSE events from a response until `done` says so or the stream ends; returns them and the
 * reader (to cancel, or to read on). `ended` is true when the server closed the stream.
 */
export async function readEvents(
  res: Response,
  done: (events: SseEvent[]) => boolean,
  reader: ReadableStreamDefaultReader<Uint8Array> = res.body!.getReader(),
): Promise<{ events: SseEvent[]; reader: ReadableStreamDefaultReader<Uint8Array>; ended: boolean }> {
  const decoder = new TextDecoder();
  let text = "";
  const events: SseEvent[] = [];
  let ended = false;
  while (!done(events)) {
    const { value, done: end } = await reader.read();
    if (end) {
      ended = true;
      break;
    }
    text += decoder.decode(value, { stream: true });
    const blocks = text.split("\n\n");
    text = blocks.pop() ?? "";
    for (const block of blocks) {
      const lines = block.split("\n");
      const event = lines
        .find((l) => l.startsWith("event:"))
        ?.slice(6)
        .trim();
      const data = lines
        .filter((l) => l.startsWith("data:"))
        .map((l) => l.slice(l.startsWith("data: ") ? 6 : 5))
        .join("\n");
      if (event) events.push({ event, data });
    }
  }
  return { events, reader, ended };
}

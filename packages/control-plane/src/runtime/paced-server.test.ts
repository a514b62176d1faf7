import type { IncomingMessage, ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import { pacedListener } from "./paced-server.ts";

const turn = () => new Promise<void>((r) => setImmediate(() => setImmediate(r)));
const req = (n: number) => ({ n }) as unknown as IncomingMessage;
const res = {} as ServerResponse;

describe("paced requests", () => {
  it("runs every request once, in arrival order, a bounded number per event-loop turn", async () => {
    const ran: number[] = [];
    const perTurn: number[] = [];
    let thisTurn = 0;
    const paced = pacedListener(
      (r) => {
        ran.push((r as unknown as { n: number }).n);
        thisTurn++;
      },
      { arriving: 2, steady: 5 },
    );
    for (let i = 0; i < 23; i++) paced.onRequest(req(i), res);
    expect(ran).toEqual([]); // nothing runs inside the socket's read callback
    while (paced.waiting > 0 || thisTurn > 0) {
      await new Promise<void>((r) => setImmediate(r));
      if (thisTurn) perTurn.push(thisTurn);
      thisTurn = 0;
    }
    expect(ran).toEqual([...Array(23).keys()]);
    expect(Math.max(...perTurn)).toBeLessThanOrEqual(5);
  });

  it("runs fewer per turn while new connections are being accepted", async () => {
    const ran: number[] = [];
    const paced = pacedListener((r) => ran.push((r as unknown as { n: number }).n), {
      arriving: 2,
      steady: 50,
    });
    paced.onConnection();
    for (let i = 0; i < 10; i++) paced.onRequest(req(i), res);
    await new Promise<void>((r) => setImmediate(r));
    expect(ran).toEqual([0, 1]);
    await turn();
    expect(ran).toEqual([...Array(10).keys()]);
    expect(paced.waiting).toBe(0);
  });
});

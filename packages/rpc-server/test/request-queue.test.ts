// The requests of a streaming call as a handler reads them: flow control reaches the transport.
import { describe, expect, it } from "vitest";
import { CallError, Code } from "../src/index.js";
import { RequestQueue } from "../src/pipeline/request-queue.js";

function queue() {
  const flow: string[] = [];
  const requests = new RequestQueue({ pause: () => void flow.push("pause"), resume: () => void flow.push("resume") });
  return { flow, requests };
}

describe("RequestQueue", () => {
  it("a slow reader pauses the transport at 32 unread requests, and resumes it once it has caught up", async () => {
    const { flow, requests } = queue();
    for (let i = 0; i < 31; i++) requests.push(i);
    expect(flow).toEqual([]);
    requests.push(31);
    expect(flow).toEqual(["pause"]);
    // More arrive (what was already in flight): buffered, no second pause.
    requests.push(32);
    expect(flow).toEqual(["pause"]);
    const read: unknown[] = [];
    for (let i = 0; i < 32; i++) read.push((await requests.next()).value);
    expect(flow).toEqual(["pause"]);
    read.push((await requests.next()).value);
    expect(flow).toEqual(["pause", "resume"]);
    expect(read).toEqual([...Array.from({ length: 33 }, (_, i) => i)]);
  });

  it("a reader already waiting takes each request at once: nothing buffers, nothing pauses", async () => {
    const { flow, requests } = queue();
    for (let i = 0; i < 100; i++) {
      const next = requests.next();
      requests.push(i);
      expect((await next).value).toBe(i);
    }
    expect(flow).toEqual([]);
  });

  it("ends after the requests before the end; a failure is thrown after them", async () => {
    const { requests } = queue();
    requests.push("a");
    requests.fail(new CallError(Code.INTERNAL, "the request ended inside a message"));
    requests.push("ignored");
    expect(await requests.next()).toEqual({ value: "a", done: false });
    await expect(requests.next()).rejects.toMatchObject({ code: Code.INTERNAL });
  });

  it("a handler that stops reading resumes a paused transport and drops what is left", async () => {
    const { flow, requests } = queue();
    for (let i = 0; i < 40; i++) requests.push(i);
    expect(flow).toEqual(["pause"]);
    await requests.return();
    expect(flow).toEqual(["pause", "resume"]);
    requests.push(41);
    expect(await requests.next()).toEqual({ value: undefined, done: true });
  });
});

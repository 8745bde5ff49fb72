/**
 * HTTP/2 abuse cases on raw connections: rapid reset (CVE-2023-44487), streams beyond the advertised
 * concurrency, a ping flood, thousands of idle connections, a client that stops reading, abrupt disconnects.
 */
import http2 from "node:http2";
import { CalculatorService, Operation } from "@grpc-calculator/proto";
import { decodeFrames, requestFrame } from "../grpc-frame.js";
import type { CaseResult, HostileCase } from "../hostile-cases.js";
import { calculateRaw, connect, type Target } from "../raw-client.js";
import { Flag, FrameType, frame, goawayCode, H2Wire, rstCode, type H2Frame } from "./h2-wire.js";

const { NGHTTP2_CANCEL, NGHTTP2_ENHANCE_YOUR_CALM, NGHTTP2_REFUSED_STREAM, NGHTTP2_PROTOCOL_ERROR } = http2.constants;
const SETTINGS_MAX_CONCURRENT_STREAMS = 0x3;
const SETTINGS_INITIAL_WINDOW_SIZE = 0x4;
const calculatePath = CalculatorService.calculate.path;
const streamPath = CalculatorService.calculateStream.path;
const frame23 = requestFrame(2, 3, Operation.ADD);

/** Counts for the report. */
export const abuseLimits = {
  rapidResetStreams: 5000,
  pingFlood: 20_000,
  fastPings: 100,
  idleConnections: 2000,
  stalledUnaryCalls: 50,
  stalledStreamRequests: 10_000,
  abruptCalls: 200,
} as const;

async function writeAll(wire: H2Wire, data: Buffer): Promise<void> {
  if (!wire.send(data) && !wire.closed) {
    await new Promise<void>((resolve) => {
      wire.socket.once("drain", resolve);
      wire.socket.once("close", resolve);
    });
  }
}

/** Sends a PING and waits for its ACK: the server has processed everything sent before it. */
async function roundTrip(wire: H2Wire, timeoutMs: number): Promise<boolean> {
  const payload = Buffer.alloc(8);
  payload.writeDoubleBE(Math.random());
  await writeAll(wire, frame(FrameType.PING, 0, 0, payload));
  const ack = await wire.waitFor(
    (f) => f.type === FrameType.PING && (f.flags & Flag.ACK) !== 0 && f.payload.equals(payload),
    timeoutMs,
  );
  return ack !== undefined;
}

async function answers23(target: Target): Promise<boolean> {
  const session = await connect(target);
  try {
    return (await calculateRaw(session, 2, 3, Operation.ADD)) === 5;
  } finally {
    session.destroy();
  }
}

const goaway = (wire: H2Wire): H2Frame | undefined => wire.frames.find((f) => f.type === FrameType.GOAWAY);
const goawayText = (f: H2Frame | undefined): string => (f === undefined ? "no GOAWAY" : `GOAWAY code ${goawayCode(f)}`);

function dataResults(wire: H2Wire, streamId: number): number[] {
  const payload = Buffer.concat(
    wire.frames.filter((f) => f.type === FrameType.DATA && f.streamId === streamId).map((f) => f.payload),
  );
  return decodeFrames(payload).messages.map((m) => CalculatorService.calculate.responseDeserialize(m).result);
}

const rapidReset: HostileCase = {
  kind: "http2-abuse",
  name: `rapid reset: ${abuseLimits.rapidResetStreams} streams opened and cancelled (CVE-2023-44487)`,
  expected: "the server keeps up (answers a PING after the burst) or closes the connection with GOAWAY",
  async run(target): Promise<CaseResult> {
    const wire = await H2Wire.open(target.host, target.port);
    const cancel = Buffer.alloc(4);
    cancel.writeUInt32BE(NGHTTP2_CANCEL);
    for (let batch = 0; batch < abuseLimits.rapidResetStreams / 500 && !wire.closed; batch++) {
      const frames: Buffer[] = [];
      for (let i = 0; i < 500; i++) {
        const streamId = 1 + 2 * (batch * 500 + i);
        wire.headers(streamId, calculatePath);
        frames.push(frame(FrameType.RST_STREAM, 0, streamId, cancel));
      }
      await writeAll(wire, Buffer.concat(frames));
    }
    const caughtUp = wire.closed ? false : await roundTrip(wire, 10_000);
    const away = goaway(wire);
    const closed = wire.closed;
    wire.destroy();
    return {
      passed: caughtUp || away !== undefined || closed,
      observed: `${caughtUp ? "answered a PING after the burst" : "no PING answer"}, ${goawayText(away)}${closed ? ", connection closed by the server" : ""}`,
      statuses: [],
    };
  },
};

const overConcurrency: HostileCase = {
  kind: "http2-abuse",
  name: "more concurrent streams than SETTINGS_MAX_CONCURRENT_STREAMS",
  expected:
    "the server advertises a bound; either the streams beyond it are refused (RST_STREAM REFUSED_STREAM/PROTOCOL_ERROR) " +
    "and those within it answer, or the whole connection is closed (GOAWAY)",
  async run(target): Promise<CaseResult> {
    const wire = await H2Wire.open(target.host, target.port);
    try {
      const settings = wire.frames.find((f) => f.type === FrameType.SETTINGS && (f.flags & Flag.ACK) === 0);
      let limit: number | undefined;
      for (let offset = 0; settings !== undefined && offset + 6 <= settings.payload.length; offset += 6) {
        if (settings.payload.readUInt16BE(offset) === SETTINGS_MAX_CONCURRENT_STREAMS)
          limit = settings.payload.readUInt32BE(offset + 2);
      }
      if (limit === undefined || limit > 10_000) {
        return {
          passed: false,
          observed: `SETTINGS_MAX_CONCURRENT_STREAMS is ${limit ?? "not advertised (unbounded)"}`,
          statuses: [],
        };
      }
      const extra = 10;
      for (let i = 0; i < limit + extra; i++) wire.headers(1 + 2 * i, calculatePath);
      await roundTrip(wire, 5000);
      const refused = wire.frames.filter(
        (f) => f.type === FrameType.RST_STREAM && [NGHTTP2_REFUSED_STREAM, NGHTTP2_PROTOCOL_ERROR].includes(rstCode(f)),
      ).length;
      // Complete the first stream: it is within the bound and must answer, unless the connection is closed.
      await writeAll(wire, frame(FrameType.DATA, Flag.END_STREAM, 1, frame23));
      await wire.waitFor((f) => f.type === FrameType.DATA && f.streamId === 1, 5000);
      const first = dataResults(wire, 1);
      // Node's HTTP/2 answers the violation with GOAWAY and closes the socket; behind a TCP relay (Docker's
      // port mapping) the close can arrive late, or without the GOAWAY frame when the relay sees a reset.
      // Either way the connection is closed: read the outcome only once it had the time to arrive.
      const closed = first[0] === 5 ? wire.closed : await wire.waitClosed(5000);
      const away = goaway(wire);
      const passed = (refused >= extra && first[0] === 5) || closed;
      return {
        passed,
        observed:
          `limit ${limit}; opened ${limit + extra}; ${refused} refused; ${goawayText(away)}; ` +
          `connection ${closed ? "closed" : "open"}; stream 1 answered ${JSON.stringify(first)}`,
        statuses: [],
      };
    } finally {
      wire.destroy();
    }
  },
};

const pingFlood: HostileCase = {
  kind: "http2-abuse",
  name: `ping flood: ${abuseLimits.pingFlood} PINGs without reading the ACKs`,
  expected: "the server closes the connection (GOAWAY) instead of queueing ACKs without bound, and survives",
  async run(target): Promise<CaseResult> {
    const wire = await H2Wire.open(target.host, target.port);
    wire.socket.pause();
    const ping = frame(FrameType.PING, 0, 0, Buffer.alloc(8));
    for (let sent = 0; sent < abuseLimits.pingFlood && !wire.closed; sent += 1000) {
      const ok = wire.send(Buffer.concat(Array.from({ length: 1000 }, () => ping)));
      if (!ok) break; // the server stopped reading: that is its back-pressure, the flood cannot go on
    }
    wire.socket.resume();
    const away = await wire.waitFor((f) => f.type === FrameType.GOAWAY, 5000);
    const acks = wire.frames.filter((f) => f.type === FrameType.PING).length;
    // A server that closes the socket with our PINGs still unread makes the kernel reset it, which can drop its GOAWAY.
    const closed = wire.closed;
    wire.destroy();
    return {
      passed: away !== undefined || closed,
      observed: `${acks} PING ACKs, ${goawayText(away)}${closed ? ", connection closed by the server" : ", connection left open"}`,
      statuses: [],
    };
  },
};

const pingsTooFast: HostileCase = {
  kind: "http2-abuse",
  name: `pings faster than permitted: ${abuseLimits.fastPings} PINGs, each sent as soon as the last is acknowledged`,
  expected: "GOAWAY ENHANCE_YOUR_CALM (gRPC keepalive enforcement: too_many_pings), the server survives",
  async run(target): Promise<CaseResult> {
    const wire = await H2Wire.open(target.host, target.port);
    let acked = 0;
    while (acked < abuseLimits.fastPings && !wire.closed && goaway(wire) === undefined) {
      if (!(await roundTrip(wire, 2000))) break;
      acked++;
    }
    const away = await wire.waitFor((f) => f.type === FrameType.GOAWAY, 100);
    wire.destroy();
    const calm = away !== undefined && goawayCode(away) === NGHTTP2_ENHANCE_YOUR_CALM;
    return { passed: calm, observed: `${acked} PINGs acknowledged, ${goawayText(away)}`, statuses: [] };
  },
};

const idleConnections: HostileCase = {
  kind: "http2-abuse",
  name: `${abuseLimits.idleConnections} idle HTTP/2 connections held open`,
  expected: "every connection accepted (or refused cleanly) and 2 + 3 still answers 5 while they are held",
  async run(target): Promise<CaseResult> {
    const wires: H2Wire[] = [];
    let failed = 0;
    try {
      for (let i = 0; i < abuseLimits.idleConnections; i += 100) {
        const opened = await Promise.allSettled(
          Array.from({ length: 100 }, () => H2Wire.open(target.host, target.port)),
        );
        for (const o of opened)
          if (o.status === "fulfilled") wires.push(o.value);
          else failed++;
      }
      const answered = await answers23(target);
      return {
        passed: answered,
        observed: `${wires.length} open, ${failed} refused; 2 + 3 ${answered ? "answered 5" : "failed"} meanwhile`,
        statuses: [],
      };
    } finally {
      for (const w of wires) w.destroy();
    }
  },
};

const stalledReader: HostileCase = {
  kind: "http2-abuse",
  name: "client stops reading mid-response (zero flow-control window)",
  expected: "other clients are served meanwhile; once the window opens the stalled calls answer correctly",
  async run(target): Promise<CaseResult> {
    const wire = await H2Wire.open(target.host, target.port, [[SETTINGS_INITIAL_WINDOW_SIZE, 0]]);
    try {
      const unaryIds = Array.from({ length: abuseLimits.stalledUnaryCalls }, (_, i) => 1 + 2 * i);
      for (const id of unaryIds) {
        wire.headers(id, calculatePath);
        wire.data(id, frame23);
      }
      const streamId = 1 + 2 * unaryIds.length;
      wire.headers(streamId, streamPath);
      for (let i = 0; i < abuseLimits.stalledStreamRequests; i += 1000) {
        await writeAll(
          wire,
          frame(FrameType.DATA, 0, streamId, Buffer.concat(Array.from({ length: 1000 }, () => frame23))),
        );
      }
      await writeAll(wire, frame(FrameType.DATA, Flag.END_STREAM, streamId, Buffer.alloc(0)));
      await roundTrip(wire, 5000);
      const othersServed = await answers23(target);
      // Open the windows: the stalled answers must now arrive, correct.
      const update = Buffer.alloc(4);
      update.writeUInt32BE(0x7fffffff - 65535);
      await writeAll(
        wire,
        Buffer.concat([0, ...unaryIds, streamId].map((id) => frame(FrameType.WINDOW_UPDATE, 0, id, update))),
      );
      const lastId = unaryIds.at(-1) ?? 1;
      await wire.waitFor((f) => f.type === FrameType.DATA && f.streamId === lastId, 5000);
      const unaryOk = unaryIds.filter((id) => dataResults(wire, id)[0] === 5).length;
      return {
        passed: othersServed && unaryOk === unaryIds.length,
        observed: `other client ${othersServed ? "served" : "NOT served"} while stalled; ${unaryOk}/${unaryIds.length} stalled unary calls answered 5 after the window opened`,
        statuses: [],
      };
    } finally {
      wire.destroy();
    }
  },
};

const abruptDisconnects: HostileCase = {
  kind: "http2-abuse",
  name: `abrupt disconnects mid-call (${abuseLimits.abruptCalls} half-sent calls, a half-read stream)`,
  expected: "the server drops the calls and keeps serving",
  async run(target): Promise<CaseResult> {
    const halfSent = await H2Wire.open(target.host, target.port);
    for (let i = 0; i < abuseLimits.abruptCalls; i++) {
      halfSent.headers(1 + 2 * i, calculatePath);
      halfSent.data(1 + 2 * i, frame23.subarray(0, 3), false);
    }
    await roundTrip(halfSent, 5000);
    halfSent.destroy();
    const midStream = await H2Wire.open(target.host, target.port);
    midStream.headers(1, streamPath);
    await writeAll(midStream, frame(FrameType.DATA, 0, 1, Buffer.concat(Array.from({ length: 1000 }, () => frame23))));
    await midStream.waitFor((f) => f.type === FrameType.DATA && f.streamId === 1, 5000);
    midStream.destroy();
    const session = await connect(target);
    const inFlight = Array.from({ length: abuseLimits.abruptCalls }, () => calculateRaw(session, 2, 3, Operation.ADD));
    session.destroy();
    await Promise.allSettled(inFlight);
    return { passed: true, observed: "three connections dropped mid-call", statuses: [] };
  },
};

export const abuseCases: readonly HostileCase[] = [
  rapidReset,
  overConcurrency,
  pingFlood,
  pingsTooFast,
  stalledReader,
  abruptDisconnects,
  idleConnections,
];

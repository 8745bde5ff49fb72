/**
 * A minimal HTTP/2 frame writer and reader on a raw TCP socket, for the abuse cases `node:http2` will not
 * send (it honours the peer's SETTINGS and its own flood limits): streams beyond the advertised
 * concurrency, ping floods, a client that stops reading. Headers are HPACK literals without indexing and
 * without Huffman coding (RFC 7541 §6.2.2), which every decoder must accept.
 */
import net from "node:net";

export const FrameType = {
  DATA: 0x0,
  HEADERS: 0x1,
  RST_STREAM: 0x3,
  SETTINGS: 0x4,
  PING: 0x6,
  GOAWAY: 0x7,
  WINDOW_UPDATE: 0x8,
} as const;

export const Flag = { END_STREAM: 0x1, ACK: 0x1, END_HEADERS: 0x4 } as const;

export const PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1");

export interface H2Frame {
  readonly type: number;
  readonly flags: number;
  readonly streamId: number;
  readonly payload: Buffer;
}

export function frame(type: number, flags: number, streamId: number, payload: Uint8Array = Buffer.alloc(0)): Buffer {
  const header = Buffer.alloc(9);
  header.writeUIntBE(payload.length, 0, 3);
  header[3] = type;
  header[4] = flags;
  header.writeUInt32BE(streamId & 0x7fffffff, 5);
  return Buffer.concat([header, payload]);
}

function hpackInteger(value: number, prefixBits: number, firstByte: number): number[] {
  const max = (1 << prefixBits) - 1;
  if (value < max) return [firstByte | value];
  const bytes = [firstByte | max];
  let rest = value - max;
  while (rest >= 128) {
    bytes.push((rest % 128) + 128);
    rest = Math.floor(rest / 128);
  }
  bytes.push(rest);
  return bytes;
}

function hpackString(text: string): Buffer {
  const raw = Buffer.from(text, "latin1");
  return Buffer.concat([Buffer.from(hpackInteger(raw.length, 7, 0)), raw]);
}

/** An HPACK header block of literal fields (no indexing, no Huffman). */
export function headerBlock(headers: ReadonlyArray<readonly [string, string]>): Buffer {
  return Buffer.concat(
    headers.flatMap(([name, value]) => [Buffer.from([0x00]), hpackString(name), hpackString(value)]),
  );
}

export function settingsFrame(settings: ReadonlyArray<readonly [number, number]> = []): Buffer {
  const payload = Buffer.alloc(6 * settings.length);
  settings.forEach(([id, value], i) => {
    payload.writeUInt16BE(id, i * 6);
    payload.writeUInt32BE(value, i * 6 + 2);
  });
  return frame(FrameType.SETTINGS, 0, 0, payload);
}

export function goawayCode(f: H2Frame): number {
  return f.payload.readUInt32BE(4);
}

export function rstCode(f: H2Frame): number {
  return f.payload.readUInt32BE(0);
}

/** A raw HTTP/2 connection: write any frame, read every frame the server sends. */
export class H2Wire {
  readonly frames: H2Frame[] = [];
  closed = false;
  private buffered: Buffer = Buffer.alloc(0);
  private readonly waiters = new Set<() => void>();

  private constructor(readonly socket: net.Socket) {
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("error", () => undefined);
    socket.on("close", () => {
      this.closed = true;
      this.notify();
    });
  }

  /** Connects, sends the preface and an empty SETTINGS, and acknowledges the server's SETTINGS. */
  static async open(
    host: string,
    port: number,
    settings: ReadonlyArray<readonly [number, number]> = [],
  ): Promise<H2Wire> {
    const socket = net.connect({ host, port });
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    const wire = new H2Wire(socket);
    socket.write(Buffer.concat([PREFACE, settingsFrame(settings)]));
    await wire.waitFor((f) => f.type === FrameType.SETTINGS && (f.flags & Flag.ACK) === 0, 5000);
    return wire;
  }

  send(data: Buffer): boolean {
    return this.closed ? false : this.socket.write(data);
  }

  /** HEADERS for a gRPC POST to `path`, plus any extra headers. */
  headers(
    streamId: number,
    path: string,
    extra: ReadonlyArray<readonly [string, string]> = [],
    endStream = false,
  ): boolean {
    const block = headerBlock([
      [":method", "POST"],
      [":scheme", "http"],
      [":path", path],
      [":authority", "localhost"],
      ["content-type", "application/grpc"],
      ["te", "trailers"],
      ...extra,
    ]);
    return this.send(frame(FrameType.HEADERS, Flag.END_HEADERS | (endStream ? Flag.END_STREAM : 0), streamId, block));
  }

  data(streamId: number, payload: Buffer, endStream = true): boolean {
    return this.send(frame(FrameType.DATA, endStream ? Flag.END_STREAM : 0, streamId, payload));
  }

  /** Resolves with the first received frame (already received or future) matching, or undefined on close/timeout. */
  async waitFor(match: (f: H2Frame) => boolean, timeoutMs: number): Promise<H2Frame | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.find(match);
      if (found !== undefined || this.closed || Date.now() >= deadline) return found;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.max(1, deadline - Date.now()));
        const waiters = this.waiters;
        function done(): void {
          clearTimeout(timer);
          waiters.delete(done);
          resolve();
        }
        waiters.add(done);
      });
    }
  }

  /** Resolves once the server has closed the connection (true) or the timeout passed (false). */
  async waitClosed(timeoutMs: number): Promise<boolean> {
    await this.waitFor(() => false, timeoutMs);
    return this.closed;
  }

  destroy(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    while (this.buffered.length >= 9) {
      const length = this.buffered.readUIntBE(0, 3);
      if (this.buffered.length < 9 + length) break;
      const f: H2Frame = {
        type: this.buffered[3] ?? 0,
        flags: this.buffered[4] ?? 0,
        streamId: this.buffered.readUInt32BE(5) & 0x7fffffff,
        payload: this.buffered.subarray(9, 9 + length),
      };
      this.buffered = this.buffered.subarray(9 + length);
      if (f.type === FrameType.SETTINGS && (f.flags & Flag.ACK) === 0)
        this.send(frame(FrameType.SETTINGS, Flag.ACK, 0));
      this.frames.push(f);
    }
    this.notify();
  }

  private notify(): void {
    for (const wake of [...this.waiters]) wake();
  }
}

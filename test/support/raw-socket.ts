// A client on a bare TCP socket, for tests about what the server does with the connection itself:
// requests sent in pieces, answers read as they arrive, and whether and when the server closes.
import { connect, type Socket } from 'node:net';

export interface RawResponse {
  readonly status: number;
  /** Header names in lower case. */
  readonly headers: Record<string, string>;
  readonly body: string;
}

export interface RawSocket {
  readonly socket: Socket;
  write(text: string): void;
  /** The next complete response (a Content-Length body); rejects if the socket closes first. */
  response(): Promise<RawResponse>;
  /** Resolves when the server has closed the connection (or reset it). */
  closed(): Promise<void>;
  /** Whether the server has closed the connection so far. */
  readonly isClosed: boolean;
  destroy(): void;
}

/** The first response in `bytes` and how many bytes it took, or undefined while it is incomplete. */
function parse(bytes: Buffer): { response: RawResponse; size: number } | undefined {
  const end = bytes.indexOf('\r\n\r\n');
  if (end === -1) return undefined;
  const [statusLine = '', ...lines] = bytes.subarray(0, end).toString('latin1').split('\r\n');
  const headers = Object.fromEntries(
    lines.map((line) => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()];
    }),
  );
  const length = Number(headers['content-length'] ?? 0);
  if (bytes.length < end + 4 + length) return undefined;
  const body = bytes.subarray(end + 4, end + 4 + length).toString('utf8');
  return { response: { status: Number(statusLine.split(' ')[1]), headers, body }, size: end + 4 + length };
}

export async function openRawSocket(port: number): Promise<RawSocket> {
  const socket = connect(port, '127.0.0.1');
  let received = Buffer.alloc(0);
  let isClosed = false;
  const closed = new Promise<void>((resolve) => socket.once('close', () => ((isClosed = true), resolve())));
  // A reset by the server is a way of closing too; the tests look at `closed`.
  socket.on('error', () => undefined);
  socket.on('data', (chunk: Buffer) => (received = Buffer.concat([received, chunk])));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return {
    socket,
    write: (text) => socket.write(text),
    response: () =>
      new Promise<RawResponse>((resolve, reject) => {
        const check = () => {
          const parsed = parse(received);
          if (parsed) {
            socket.off('data', check);
            received = received.subarray(parsed.size);
            resolve(parsed.response);
          } else if (isClosed) {
            reject(new Error(`connection closed before a full response: ${received.toString('utf8')}`));
          }
        };
        socket.on('data', check);
        void closed.then(check);
        check();
      }),
    closed: () => closed,
    get isClosed() {
      return isClosed;
    },
    destroy: () => socket.destroy(),
  };
}

/** The request line and headers of a JSON pick whose body is `bodyLength` bytes, ending in the blank line. */
export function pickRequestHead(token: string, bodyLength: number): string {
  return [
    'PATCH /core/casemgr/v3/activity/pick HTTP/1.1',
    'Host: 127.0.0.1',
    `Authorization: Bearer ${token}`,
    'Content-Type: application/json',
    `Content-Length: ${bodyLength}`,
    '',
    '',
  ].join('\r\n');
}

// A fetch-based Server-Sent Events reader: EventSource cannot send the Authorization header. It
// reconnects after the server's `retry` (or Retry-After when refused), sending Last-Event-ID so the
// stream resumes where it stopped (docs/api/event-stream.md).
import { API, type ApiContext } from './api.js';

export interface StreamEvent {
  readonly id: string;
  readonly event: string;
  readonly data: string;
}

export interface StreamHandlers {
  onEvent(event: StreamEvent): void;
  /** Connected (true) or waiting to reconnect (false). */
  onConnection(open: boolean): void;
}

export function openEventStream(context: ApiContext, handlers: StreamHandlers): () => void {
  const abort = new AbortController();
  let lastEventId = '';
  let retryMs = 2000;

  const dispatch = (block: string) => {
    let event = 'message';
    const data: string[] = [];
    let id: string | undefined;
    for (const line of block.split('\n')) {
      if (line === '' || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
      else if (field === 'id') id = value;
      else if (field === 'retry' && /^\d+$/.test(value)) retryMs = Number(value);
    }
    if (id !== undefined) lastEventId = id;
    if (data.length > 0) handlers.onEvent({ id: lastEventId, event, data: data.join('\n') });
  };

  const connectOnce = async (): Promise<number> => {
    const headers: Record<string, string> = {
      authorization: `Bearer ${context.token()}`,
      accept: 'text/event-stream',
      'accept-language': context.locale(),
    };
    if (lastEventId) headers['last-event-id'] = lastEventId;
    const response = await fetch(`${API}/events`, { headers, signal: abort.signal, cache: 'no-store' });
    if (response.status === 401) {
      context.unauthorized();
      return retryMs;
    }
    if (!response.ok || !response.body) {
      const after = Number(response.headers.get('retry-after'));
      return Number.isFinite(after) && after > 0 ? after * 1000 : retryMs;
    }
    handlers.onConnection(true);
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return retryMs;
      buffer = (buffer + value).replace(/\r\n?/g, '\n');
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        dispatch(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
      }
    }
  };

  void (async () => {
    while (!abort.signal.aborted) {
      let waitMs = retryMs;
      try {
        waitMs = await connectOnce();
      } catch {
        // A dropped connection or a network error: reconnect below.
      }
      if (abort.signal.aborted) return;
      handlers.onConnection(false);
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
  })();
  return () => abort.abort();
}

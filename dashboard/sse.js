// A job's event stream (GET /api/queue/jobs/{id}/events/stream) read with fetch, not EventSource:
// EventSource cannot send the Authorization header a token-protected server needs. So this parses
// the text/event-stream format itself (id:, event:, data:, retry:, comments) and, like
// EventSource, reconnects after a drop with Last-Event-ID, so no event is missed or repeated.
import { askToken, authHeaders, errorOf } from './api.js';

const sleep = (ms, signal) =>
  new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });

/**
 * Follows the stream at `path` until `event: end` or close(). Calls onEvent(type, data, id) for
 * each message, onLive(true|false) as the connection comes and goes, onError(err) on a failure.
 */
export function followStream(path, { onEvent, onLive, onError }) {
  const ac = new AbortController();
  let lastId = null;
  let retryMs = 2000;

  /** Reads one connection; true when the server said `end`. */
  async function read(body) {
    const reader = body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    let type = '';
    let data = [];
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return false;
      buffer += value;
      let nl;
      // Lines end with \n (optionally \r\n); a partial line waits for the next chunk.
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl).replace(/\r$/, '');
        buffer = buffer.slice(nl + 1);
        if (line === '') {
          if (data.length > 0) {
            const t = type || 'message';
            onEvent(t, data.join('\n'), lastId);
            if (t === 'end') return true;
            // streamSSE reports a failure mid-stream as `event: error`: reconnect and resume.
            if (t === 'error') return false;
          }
          type = '';
          data = [];
          continue;
        }
        if (line.startsWith(':')) continue; // a keep-alive comment
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        let val = colon < 0 ? '' : line.slice(colon + 1);
        if (val.startsWith(' ')) val = val.slice(1);
        if (field === 'data') data.push(val);
        else if (field === 'event') type = val;
        else if (field === 'id' && !val.includes('\0')) lastId = val;
        else if (field === 'retry' && /^\d+$/.test(val)) retryMs = Number(val);
      }
    }
  }

  (async () => {
    while (!ac.signal.aborted) {
      try {
        const sent = authHeaders().authorization;
        const headers = { accept: 'text/event-stream', ...authHeaders() };
        if (lastId !== null) headers['last-event-id'] = lastId;
        const res = await fetch(path, { headers, signal: ac.signal, cache: 'no-store' });
        if (res.status === 401) {
          if (authHeaders().authorization !== sent) continue;
          const err = await errorOf(res);
          await askToken(sent ? err.message : undefined);
          continue;
        }
        if (!res.ok) {
          // 404 (no such job), 403 (role): retrying would not change the answer.
          onError(await errorOf(res));
          return;
        }
        onLive(true);
        if (await read(res.body)) {
          onLive(false);
          return;
        }
      } catch (err) {
        if (ac.signal.aborted) return;
        onError(err);
      }
      onLive(false);
      await sleep(retryMs, ac.signal);
    }
  })();

  return {
    close() {
      ac.abort();
    },
  };
}

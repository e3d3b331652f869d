// Calls to the REST API (/api, docs/http.md) with the session's bearer token. A 401 asks for a
// token once (one dialog however many calls are waiting), keeps it in sessionStorage (gone when
// the tab closes, never in localStorage) and retries; every other failure throws ApiError.
import { byId } from './dom.js';

const KEY = 'agent-queue.token';

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export function authHeaders() {
  const token = sessionStorage.getItem(KEY);
  return token ? { authorization: `Bearer ${token}` } : {};
}

/** The error a non-2xx answer carries ({error: {code, message}}), as an ApiError. */
export async function errorOf(res) {
  const body = await res.json().catch(() => null);
  const e = body && body.error ? body.error : {};
  return new ApiError(
    res.status,
    e.code ?? `http_${res.status}`,
    e.message ?? `${res.status} ${res.statusText}`,
  );
}

let asking = null;

/** Shows the token dialog (once, however many callers wait) and resolves when a token was entered. */
export function askToken(message) {
  if (asking) return asking;
  // A token that was refused is of no more use to anyone.
  sessionStorage.removeItem(KEY);
  asking = new Promise((resolve) => {
    const dialog = byId('token-dialog');
    const form = byId('token-form');
    const input = byId('token-input');
    const error = byId('token-error');
    error.textContent = message ?? '';
    error.hidden = !message;
    input.value = '';
    // Without a token nothing works: Escape must not leave the page silently empty.
    const keep = (e) => e.preventDefault();
    dialog.addEventListener('cancel', keep);
    form.addEventListener(
      'submit',
      () => {
        sessionStorage.setItem(KEY, input.value.trim());
        dialog.removeEventListener('cancel', keep);
        asking = null;
        resolve();
      },
      { once: true },
    );
    dialog.showModal();
    input.focus();
  });
  return asking;
}

/** One API call: JSON in and out; asks for a token and retries on 401. */
export async function api(method, path, body) {
  for (;;) {
    const sent = authHeaders().authorization;
    const headers = { accept: 'application/json', ...authHeaders() };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
    });
    if (res.status === 401) {
      // Sent before a token was entered in the meantime: just try again with that one.
      if (authHeaders().authorization !== sent) continue;
      const err = await errorOf(res);
      await askToken(sent ? err.message : undefined);
      continue;
    }
    if (!res.ok) throw await errorOf(res);
    return res.json();
  }
}

/** A query string from the set values of an object. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

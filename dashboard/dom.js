// Tiny DOM helpers. Every piece of data goes in through textContent or a property, never as
// markup: job payloads, results, messages and type names are whatever a client sent.

/** The element with this id; throws if the page lacks it (a broken page should say so at once). */
export function byId(id) {
  const node = document.getElementById(id);
  if (!node) throw new Error(`dashboard: #${id} is missing from index.html`);
  return node;
}

/** A new element with attributes (set as attributes, never as HTML) and text or element children. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'className') node.className = v;
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return node;
}

/** JSON shown to a person: indented; undefined/null as a dash. */
export const pretty = (value) =>
  value === undefined || value === null ? '—' : JSON.stringify(value, null, 2);

/** A timestamp in the reader's local time, seconds included. */
export function when(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : d.toLocaleString();
}

const notice = () => byId('notice');
let noticeTimer;

/** Shows an error (or any message) at the top of the page for a while. */
export function report(err) {
  const box = notice();
  let text = err instanceof Error ? err.message : String(err);
  if (err && err.status === 403) text = `Not allowed: your token's role lacks this permission. ${text}`;
  box.textContent = text;
  box.hidden = false;
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => (box.hidden = true), 12_000);
}

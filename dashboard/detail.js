// One job: its fields, payload and result, and its timeline live over the event stream. Each
// event that arrives also re-reads the job (coalesced), so status and the cancel button follow.
import { api } from './api.js';
import { byId, el, pretty, report, when } from './dom.js';
import { followStream } from './sse.js';

const TERMINAL = new Set(['succeeded', 'failed', 'cancelled', 'dead_letter']);
const FIELDS = [
  ['id', 'id'],
  ['type', 'type'],
  ['attempt', 'attempt'],
  ['maxAttempts', 'max attempts'],
  ['priority', 'priority'],
  ['claimedBy', 'claimed by'],
  ['progress', 'progress'],
  ['progressMessage', 'progress message'],
  ['cancelRequestedAt', 'cancel requested', when],
  ['runAt', 'run at', when],
  ['createdAt', 'created', when],
  ['updatedAt', 'updated', when],
  ['finishedAt', 'finished', when],
  ['lastError', 'last error', (v) => (typeof v === 'string' ? v : JSON.stringify(v))],
];

let current = null; // { id, stream, seen: Set, job }
let rereadTimer;

function drawJob(job) {
  current.job = job;
  byId('d-title').textContent = job.type;
  const status = byId('d-status');
  status.textContent = job.status;
  status.className = `status s-${job.status}`;
  const fields = byId('d-fields');
  fields.replaceChildren(
    ...FIELDS.filter(([k]) => job[k] !== undefined && job[k] !== null).map(([k, label, fmt]) =>
      el('div', {}, el('dt', {}, label), el('dd', {}, fmt ? fmt(job[k]) : String(job[k]))),
    ),
  );
  byId('d-payload').textContent = pretty(job.payload);
  byId('d-result').textContent = pretty(job.result);
  drawCancel(job);
}

/** Hidden once the job finished; disabled with its reason once a cancel was requested. */
function drawCancel(job) {
  const button = byId('d-cancel');
  button.hidden = TERMINAL.has(job.status);
  const requested = Boolean(job.cancelRequestedAt);
  button.disabled = requested;
  button.textContent = requested ? 'Cancellation requested' : 'Cancel job';
}

function drawEvent(e) {
  const data =
    e.data === null || e.data === undefined
      ? null
      : el('code', { className: 'event-data' }, JSON.stringify(e.data));
  return el(
    'li',
    { className: `event level-${e.level}`, 'data-kind': e.kind, 'data-event-id': e.id },
    el('time', { datetime: e.at }, when(e.at)),
    el('span', { className: 'kind' }, e.kind),
    el('span', { className: 'attempt' }, `#${e.attempt}`),
    e.message ? el('span', { className: 'message' }, e.message) : null,
    data,
  );
}

async function reread(id) {
  try {
    const { job } = await api('GET', `/api/queue/jobs/${encodeURIComponent(id)}`);
    if (current && current.id === id) drawJob(job);
  } catch (err) {
    report(err);
  }
}

function scheduleReread(id) {
  clearTimeout(rereadTimer);
  rereadTimer = setTimeout(() => void reread(id), 150);
}

export function closeJob() {
  if (current) current.stream.close();
  current = null;
  byId('detail').hidden = true;
  document.body.classList.remove('has-detail');
}

export async function openJob(id) {
  if (current && current.id === id) return;
  closeJob();
  const events = byId('d-events');
  events.replaceChildren();
  const live = byId('d-live');
  const path = `/api/queue/jobs/${encodeURIComponent(id)}/events/stream`;
  const stream = followStream(path, {
    onEvent(type, data) {
      if (!current || current.id !== id) return;
      if (type === 'end') {
        void reread(id);
        return;
      }
      if (type !== 'message') return;
      const e = JSON.parse(data);
      // A reconnect resumes after the last id, but be safe against a repeat all the same.
      if (current.seen.has(e.id)) return;
      current.seen.add(e.id);
      events.append(drawEvent(e));
      scheduleReread(id);
    },
    onLive(on) {
      live.hidden = !on;
    },
    onError: report,
  });
  current = { id, stream, seen: new Set(), job: null };
  byId('detail').hidden = false;
  document.body.classList.add('has-detail');
  byId('d-title').textContent = id;
  await reread(id);
}

export function startDetail() {
  byId('d-cancel').addEventListener('click', async () => {
    if (!current) return;
    const id = current.id;
    const button = byId('d-cancel');
    button.disabled = true;
    try {
      const { job } = await api('POST', `/api/queue/jobs/${encodeURIComponent(id)}/cancel`, {
        reason: 'Cancelled from the dashboard',
      });
      if (current && current.id === id) drawJob(job);
    } catch (err) {
      button.disabled = false;
      report(err);
    }
  });
}

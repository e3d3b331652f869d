// The job list: newest first, filtered by status and type, refreshed every 2 s while the tab is
// visible (a hidden tab asks nothing). The list is redrawn only when an answer differs from the
// last one, so a person reading or selecting in it is not disturbed by identical refreshes.
import { api, query } from './api.js';
import { byId, el, report, when } from './dom.js';

const EVERY_MS = 2000;
const LIMIT = 50;

let lastDrawn = '';
let selectedId = null;
let inFlight = false;

function filters() {
  return {
    status: byId('filter-status').value,
    type: byId('filter-type').value.trim(),
  };
}

function row(job) {
  const progress = typeof job.progress === 'number' ? ` · ${Math.round(job.progress * 100) / 100}%` : '';
  const cancelling = job.cancelRequestedAt && job.status === 'running' ? ' · cancel requested' : '';
  return el(
    'li',
    {
      className: job.id === selectedId ? 'job selected' : 'job',
      'data-job-id': job.id,
      'data-status': job.status,
    },
    el(
      'a',
      { href: `#/jobs/${encodeURIComponent(job.id)}` },
      el('span', { className: 'job-type' }, job.type),
      el('span', { className: `status s-${job.status}` }, job.status),
      el(
        'span',
        { className: 'job-meta' },
        `${job.id} · ${when(job.updatedAt ?? job.createdAt)}${progress}${cancelling}`,
      ),
    ),
  );
}

function draw(jobs) {
  const signature = JSON.stringify([selectedId, jobs]);
  if (signature === lastDrawn) return;
  lastDrawn = signature;
  byId('jobs').replaceChildren(...jobs.map(row));
  byId('jobs-empty').hidden = jobs.length > 0;
}

export async function refreshList() {
  if (inFlight) return;
  inFlight = true;
  try {
    const { jobs } = await api('GET', `/api/queue/jobs${query({ ...filters(), limit: LIMIT })}`);
    draw(jobs);
  } catch (err) {
    report(err);
  } finally {
    inFlight = false;
  }
}

/** Marks the job open in the detail pane. */
export function selectInList(id) {
  selectedId = id;
  for (const li of byId('jobs').children) li.classList.toggle('selected', li.dataset.jobId === id);
}

export function startList() {
  let typing;
  byId('filter-status').addEventListener('change', () => void refreshList());
  byId('filter-type').addEventListener('input', () => {
    clearTimeout(typing);
    typing = setTimeout(() => void refreshList(), 300);
  });
  byId('filters').addEventListener('submit', (e) => {
    e.preventDefault();
    void refreshList();
  });
  void refreshList();
  setInterval(() => {
    if (!document.hidden) void refreshList();
  }, EVERY_MS);
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden) void refreshList();
  });
}

// The fleet banner: pause state, mode, reason and the drain counters, refreshed every 2 s; pause
// (mode + reason) and resume (reason). Resuming while work from before the pause still runs asks
// first, then forces: the server refuses an unforced resume after a drain that has not finished.
import { ApiError, api } from './api.js';
import { byId, report } from './dom.js';

const EVERY_MS = 2000;
let status = null;

function draw(answer) {
  status = answer;
  const { system, metrics } = answer;
  const paused = system.workersPaused;
  const banner = byId('fleet');
  banner.classList.toggle('paused', paused);
  byId('fleet-state').textContent = paused ? 'Workers paused' : 'Workers running';
  const mode = byId('fleet-mode');
  mode.hidden = !paused || !system.mode;
  mode.textContent = system.mode ?? '';
  byId('fleet-reason').textContent = paused && system.reason ? system.reason : '';
  byId('m-queued').textContent = String(metrics.queued);
  byId('m-running').textContent = String(metrics.running);
  byId('m-stale').textContent = String(metrics.staleRunning);
  byId('m-delayed').textContent = String(metrics.delayed);
  byId('m-blocked').textContent = String(metrics.blocked);
  byId('m-drained').textContent = metrics.isDrained ? 'yes' : 'no';
  byId('pause-form').hidden = paused;
  byId('resume-form').hidden = !paused;
}

export async function refreshFleet() {
  try {
    draw(await api('GET', '/api/system/worker-pause?audit=0'));
  } catch (err) {
    report(err);
  }
}

/** The in-page confirmation (a <dialog>, not window.confirm): resolves true for "Resume anyway". */
function confirmForce(text) {
  return new Promise((resolve) => {
    const dialog = byId('confirm-dialog');
    byId('confirm-text').textContent = text;
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'force'), { once: true });
    dialog.returnValue = '';
    dialog.showModal();
  });
}

async function resume(reason) {
  const running = status ? status.metrics.running : 0;
  if (status && !status.metrics.isDrained) {
    const ok = await confirmForce(
      `${running} job(s) from before the pause are still running. Resume anyway? Workers start claiming new jobs at once.`,
    );
    if (!ok) return;
    return api('POST', '/api/system/worker-pause', { paused: false, reason, force: true });
  }
  try {
    return await api('POST', '/api/system/worker-pause', { paused: false, reason });
  } catch (err) {
    // The fleet stopped being drained since the last refresh: the server says why; ask, then force.
    if (!(err instanceof ApiError) || err.code !== 'job_state_conflict') throw err;
    if (!(await confirmForce(err.message))) return;
    return api('POST', '/api/system/worker-pause', { paused: false, reason, force: true });
  }
}

export function startFleet() {
  byId('pause-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const reason = byId('pause-reason').value.trim();
    try {
      draw(
        await api('POST', '/api/system/worker-pause', {
          paused: true,
          mode: byId('pause-mode').value,
          reason,
        }),
      );
      byId('pause-reason').value = '';
    } catch (err) {
      report(err);
    }
  });
  byId('resume-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const answer = await resume(byId('resume-reason').value.trim());
      if (answer) {
        draw(answer);
        byId('resume-reason').value = '';
      }
    } catch (err) {
      report(err);
    }
  });
  void refreshFleet();
  setInterval(() => {
    if (!document.hidden) void refreshFleet();
  }, EVERY_MS);
}

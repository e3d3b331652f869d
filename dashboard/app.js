// The dashboard's entry point (docs/dashboard.md): wires the fleet banner, the job list and the
// job detail, and follows the address: #/jobs/<id> opens a job, so a reload or a shared link keeps it.
import { closeJob, openJob, startDetail } from './detail.js';
import { report } from './dom.js';
import { selectInList, startList } from './list.js';
import { startFleet } from './fleet.js';

function route() {
  const match = /^#\/jobs\/(.+)$/.exec(location.hash);
  const id = match ? decodeURIComponent(match[1]) : null;
  selectInList(id);
  if (id) openJob(id).catch(report);
  else closeJob();
}

startFleet();
startList();
startDetail();
window.addEventListener('hashchange', route);
route();

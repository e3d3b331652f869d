// One page of `list`: summaries unless `full`, cut to a byte budget so that an answer stays small
// enough for an MCP client (which carries it twice: structured and as text) and for a model's context.
import type { JobRecord } from '../store/store.js';
import type { Job, JobPage, JobSummary } from '../core/types.js';
import { encodeCursor, toJob } from './view.js';

/** JSON bytes of the jobs on one page; a page always holds at least one job, however large. */
export const LIST_PAGE_BUDGET_BYTES = 1024 * 1024;

function toSummary(job: Job): JobSummary {
  const { payload: _payload, result: _result, ...summary } = job;
  return summary;
}

/**
 * `rows` are up to limit + 1 rows in page order; the extra row only says that more exist. The page
 * ends at the limit or before the job that would pass the budget, and the cursor continues after
 * the last job it holds.
 */
export function toPage(rows: JobRecord[], limit: number, full: boolean): JobPage<JobSummary | Job> {
  const jobs: (JobSummary | Job)[] = [];
  let bytes = 0;
  for (const row of rows.slice(0, limit)) {
    const job = full ? toJob(row) : toSummary(toJob(row));
    bytes += Buffer.byteLength(JSON.stringify(job));
    if (jobs.length > 0 && bytes > LIST_PAGE_BUDGET_BYTES) break;
    jobs.push(job);
  }
  const more = rows.length > jobs.length;
  return { jobs, nextCursor: more ? encodeCursor(rows[jobs.length - 1]!) : null };
}

// A job's output on its way to the timeline: every line redacted, then batched and rate-limited per
// stream (LogBatcher) and written with `port.log` under the job's lease. A write that fails is
// dropped: the heartbeat, not the log, decides whether the job is still ours.
import type { Logger } from '../log.js';
import type { WorkerPort } from '../queue/worker-port.js';
import { errText } from './heartbeat.js';
import { LogBatcher } from './output.js';
import { clean } from './outcome.js';

export interface JobOutput {
  line(stream: 'stdout' | 'stderr', line: string): void;
  /** Flushes what is left; resolves once every write settled. */
  close(): Promise<void>;
}

export function jobOutput(
  port: WorkerPort,
  jobId: string,
  leaseToken: string,
  redact: (text: string) => string,
  log: Logger,
): JobOutput {
  let warned = false;
  const batcher = new LogBatcher({
    write: async (stream: 'stdout' | 'stderr', lines: string[]) => {
      try {
        await port.log({ jobId, leaseToken, stream, lines });
      } catch (err) {
        if (!warned) log.warn({ jobId, err: errText(err) }, 'could not write output lines to the timeline');
        warned = true;
      }
    },
  });
  return {
    // Cleaned: one line with NUL or a cut surrogate pair would make the queue refuse its whole batch.
    line: (stream, line) => batcher.add(stream, clean(redact(line))),
    close: () => batcher.close(),
  };
}

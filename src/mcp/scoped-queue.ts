// A server scoped to one named queue (--queue / AGENT_QUEUE_QUEUE, docs/queues.md): every call its
// tools, resources and tasks make carries that queue, set here and never taken from an argument, so
// an agent cannot reach past its project. The rules stay in the service: enqueue and claim use the
// queue, reads and pauses keep to it, and a job of another queue is not_found.
import type { QueueApi } from './queue-api.js';
import { supportsTasks } from './queue-api.js';

export function scopedQueue<Q extends QueueApi>(api: Q, queue: string): Q {
  // Everything else (heartbeat, complete, fail, held, release: the lease token is their scope)
  // passes through to the unscoped api, whose prototype keeps its state.
  const scoped = Object.create(api) as Q;
  const overrides: Partial<QueueApi> = {
    enqueue: (input, opts) => api.enqueue({ ...input, queue }, opts),
    claim: (input, opts) => api.claim({ ...input, queue }, opts),
    list: (input = {}) => api.list({ ...input, queue }),
    get: (input) => api.get({ ...input, queue }),
    cancel: (input) => api.cancel({ ...input, queue }),
    wait: (input, opts) => api.wait({ ...input, queue }, opts),
    control: {
      pause: (input) => api.control.pause({ ...input, queue }),
      resume: (input) => api.control.resume({ ...input, queue }),
      status: (input = {}) => api.control.status({ ...input, queue }),
    },
  };
  Object.assign(scoped, overrides);
  if (supportsTasks(api)) {
    // A task names a job: one of another queue is unknown here, as its id would be.
    Object.assign(scoped, { jobOfTask: (taskId: string) => api.jobOfTask(taskId, queue) });
  }
  return scoped;
}

// The named queue a process works in (docs/queues.md): a host scoped to one project never takes,
// sees or touches another project's jobs.
import { queueName } from '../../queue/schemas.js';
import { noValue, setting } from '../setting.js';

export const SCOPE_SETTINGS = {
  'scope.queue': setting({
    env: 'AGENT_QUEUE_QUEUE',
    flag: { spec: '--queue <name>', commands: 'queue-scoped' },
    commands: 'queue-scoped',
    schema: queueName,
    default: noValue,
    defaultText: 'none: enqueue and claim use `default`, reads span every queue',
    help: 'the named queue this process works in: enqueue and claim there, and see only its jobs',
  }),
};

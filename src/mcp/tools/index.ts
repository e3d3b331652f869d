// Every tool, by base name; the profile decides which of them a server registers.
import type { ToolBase } from '../profiles.js';
import type { ToolDef } from '../tool.js';
import { queueAckCancel } from './queue_ack_cancel.js';
import { queueCancel } from './queue_cancel.js';
import { queueClaim } from './queue_claim.js';
import { queueComplete } from './queue_complete.js';
import { queueEnqueue } from './queue_enqueue.js';
import { queueFail } from './queue_fail.js';
import { queueGet } from './queue_get.js';
import { queueHeartbeat } from './queue_heartbeat.js';
import { queueHeld } from './queue_held.js';
import { queueList } from './queue_list.js';
import { queuePause } from './queue_pause.js';
import { queueResume } from './queue_resume.js';
import { queueStatus } from './queue_status.js';
import { queueSubmit } from './queue_submit.js';
import { queueWait } from './queue_wait.js';

/** Every tool; queue_submit is registered as an MCP task tool (../tasks.ts). */
export const TOOLS: Record<ToolBase, ToolDef> = {
  enqueue: queueEnqueue,
  submit: queueSubmit,
  wait: queueWait,
  claim: queueClaim,
  heartbeat: queueHeartbeat,
  complete: queueComplete,
  fail: queueFail,
  ack_cancel: queueAckCancel,
  held: queueHeld,
  cancel: queueCancel,
  get: queueGet,
  list: queueList,
  pause: queuePause,
  resume: queueResume,
  status: queueStatus,
};

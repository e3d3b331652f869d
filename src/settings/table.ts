// Every setting once: its environment variable, its flag, how its text is parsed, its default and
// its help. Commander flags, validation, --help and the README's table all come from here. The
// rows live in sections/, one file per section; their order here is the README's order.
import { DATABASE_SETTINGS } from './sections/database.js';
import { HTTP_SETTINGS } from './sections/http.js';
import { QUEUE_SETTINGS } from './sections/queue.js';
import { REMOTE_SETTINGS } from './sections/remote.js';
import { SCOPE_SETTINGS } from './sections/scope.js';
import { SERVER_SETTINGS } from './sections/server.js';
import { WORKER_SETTINGS } from './sections/worker.js';

export { SCOPES, type Commands, type Setting, type SettingFlag } from './setting.js';

export const SETTINGS = {
  ...DATABASE_SETTINGS,
  ...QUEUE_SETTINGS,
  ...SERVER_SETTINGS,
  ...WORKER_SETTINGS,
  ...SCOPE_SETTINGS,
  ...HTTP_SETTINGS,
  ...REMOTE_SETTINGS,
};

export type SettingKey = keyof typeof SETTINGS;
export type SettingValues = { [K in SettingKey]: (typeof SETTINGS)[K]['default'] };

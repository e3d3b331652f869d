import { QueueError } from '../core/errors.js';

/** One line naming the setting and what it should be, e.g. `DATABASE_URL: unsupported scheme …`. */
export const settingError = (setting: string, message: string): QueueError =>
  new QueueError('invalid_argument', `${setting}: ${message}`);

// Where `serve` may listen (SPEC §12): loopback always; any other address only once a bearer token
// exists, since then every /mcp and /api request must carry one. Decided at start (it needs the
// database), not in the settings.
import { QueueError } from '../core/errors.js';
import { isLoopbackHost } from './guard.js';

/** True for 127.0.0.0/8, ::1 and localhost, with or without the brackets of an IPv6 literal. */
export const isLoopbackBind = (host: string): boolean =>
  isLoopbackHost(host) || isLoopbackHost(host.replace(/^\[(.*)\]$/, '$1'));

/** Why `serve` must not listen on `host`, or null when it may. */
export function bindRefusal(host: string, tokensExist: boolean): QueueError | null {
  if (isLoopbackBind(host) || tokensExist) return null;
  return new QueueError(
    'invalid_argument',
    `refusing to listen on "${host}": no access tokens exist, so anyone who reaches that address could use the queue. ` +
      'Create one first (agent-queue token create --role operator --name admin; give each client its own token), ' +
      'or listen on loopback (127.0.0.1) and reach it through an SSH tunnel or an authenticating reverse proxy.',
  );
}

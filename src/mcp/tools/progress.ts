// Progress notifications while a call waits (a long-poll claim, a held heartbeat), only when the
// client asked for them: they keep clients with a per-request timeout from giving up on us.
import type { Extra, ToolContext } from '../tool.js';

export function progressReporter(ctx: ToolContext, extra: Extra, message: string) {
  const progressToken = extra._meta?.progressToken;
  if (progressToken === undefined) return undefined;
  return (waited: number, total: number) => {
    extra
      .sendNotification({
        method: 'notifications/progress',
        params: { progressToken, progress: Math.round(waited), total, message },
      })
      .catch((err: unknown) => ctx.log?.debug({ err }, 'progress notification not delivered'));
  };
}

// Wrapping a request handler the SDK registered. The SDK keeps its handlers in a private map;
// `setRequestHandler` would re-parse the request with the SDK's schema before our code ran, and
// would drop the SDK's own handler that we hand on to. If an SDK upgrade moves the map, this throws
// at startup (every MCP test fails).
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { JSONRPCRequest } from '@modelcontextprotocol/sdk/types.js';

export type SdkHandler = (request: JSONRPCRequest, extra: unknown) => Promise<unknown>;

export function wrapSdkHandler(
  server: McpServer,
  method: string,
  wrap: (sdkHandler: SdkHandler, request: JSONRPCRequest, extra: unknown) => Promise<unknown>,
): void {
  const handlers = (server.server as unknown as { _requestHandlers?: Map<string, SdkHandler> })
    ._requestHandlers;
  const sdkHandler = handlers?.get(method);
  if (!handlers || !sdkHandler) {
    throw new Error(
      `The MCP SDK no longer keeps its ${method} handler where src/mcp/sdk-handlers.ts wraps it.`,
    );
  }
  handlers.set(method, (request, extra) => wrap(sdkHandler, request, extra));
}

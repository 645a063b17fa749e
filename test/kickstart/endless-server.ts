// A server whose one answer never ends on its own: chunked, with no Content-Length to refuse it by, up to
// 256 MiB written as fast as it is read. What a size-capped fetch must cut off (fetch-limited.ts).

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after } from 'node:test';

export interface EndlessServer {
  url: string;
  /** The bytes written so far. */
  sent(): number;
}

/** Listens on loopback until the test file ends. */
export async function endlessServer(
  headers: Record<string, string> = {},
  byte = 0x41,
): Promise<EndlessServer> {
  let sent = 0;
  const server = createServer((_request, response) => {
    response.writeHead(200, headers);
    const chunk = Buffer.alloc(64 * 1024, byte);
    const more = (): void => {
      while (sent < 256 * 2 ** 20) {
        sent += chunk.length;
        if (!response.write(chunk)) return void response.once('drain', more);
      }
      response.end();
    };
    response.on('close', () => response.removeAllListeners('drain'));
    more();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => server.close());
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, sent: () => sent };
}

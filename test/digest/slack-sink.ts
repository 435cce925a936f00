import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A local HTTP server standing in for a Slack incoming webhook: records each JSON payload. */
export interface SlackSink {
  /** A webhook-shaped URL; its path is the secret part, as with Slack's. */
  readonly url: string;
  readonly received: { path: string; payload: Record<string, unknown> }[];
  /** Answer the next `count` posts with `status` and `body` (Slack answers e.g. 404 "no_service"). */
  failNext(count: number, status: number, body: string): void;
  close(): Promise<void>;
}

export async function startSlackSink(secretPath: string): Promise<SlackSink> {
  const received: SlackSink['received'] = [];
  let failures = { count: 0, status: 500, body: '' };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (failures.count > 0) {
        failures.count -= 1;
        response.writeHead(failures.status, { 'content-type': 'text/plain' }).end(failures.body);
        return;
      }
      received.push({ path: request.url ?? '', payload: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}${secretPath}`,
    received,
    failNext(count, status, body) {
      failures = { count, status, body };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

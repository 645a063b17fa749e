import type { ServerResponse } from 'node:http';
import type { FastifyReply } from 'fastify';

/** A comment line keeps proxies from closing a quiet stream. */
export const KEEPALIVE_MS = 15_000;

/**
 * Takes the response over from Fastify as a Server-Sent Events stream. The headers go out at once, so a client
 * knows it is connected before the first event, and proxies are told not to buffer.
 */
export function openEventStream(reply: FastifyReply): ServerResponse {
  reply.hijack();
  const out = reply.raw;
  out.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  out.flushHeaders();
  return out;
}

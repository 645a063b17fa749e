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
    'x-content-type-options': 'nosniff',
  });
  out.flushHeaders();
  return out;
}

/**
 * One event as the stream's text. A client's parser ends a line at CR, LF or CRLF alike, so the data is split
 * at each of them into `data:` lines: text from a build's log cannot end the event early or write one of its own
 * (a fake `end`).
 */
export function serverSentEvent(event: string, data: string, id?: number): string {
  const lines = data.split(/\r\n|\r|\n/).map((line) => `data: ${line}`);
  return `event: ${event}\n${id === undefined ? '' : `id: ${id}\n`}${lines.join('\n')}\n\n`;
}

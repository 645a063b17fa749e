import type { Readable } from 'node:stream';
import { ServiceError } from '../errors.ts';

/** A body of at most `maxBytes`, in memory: a log chunk is small, and is written only once it is whole. */
export async function readSmallBody(body: Readable | undefined, maxBytes: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const part of body ?? []) {
    size += (part as Buffer).length;
    if (size > maxBytes) throw new ServiceError('too-large', `a chunk may have at most ${maxBytes} bytes`);
    parts.push(part as Buffer);
  }
  return Buffer.concat(parts);
}

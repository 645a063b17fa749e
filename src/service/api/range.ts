import type { FastifyReply, FastifyRequest } from 'fastify';
import { ServiceError } from '../errors.ts';
import type { StoredFile } from '../jobs/index.ts';

export interface ByteRange {
  start: number;
  /** Inclusive, as in the Range header. */
  end: number;
}

/**
 * One `bytes=` range of a file of `size` bytes; null when the header asks for the whole file. Several ranges
 * (multipart/byteranges) are answered with the whole file, which RFC 9110 allows.
 */
export function parseRange(header: string | undefined, size: number): ByteRange | null {
  if (header === undefined) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return null;
  const [, from = '', to = ''] = match;
  if (from === '' && to === '') return null;
  let range: ByteRange;
  if (from === '') {
    range = { start: Math.max(0, size - Number(to)), end: size - 1 };
  } else {
    range = { start: Number(from), end: to === '' ? size - 1 : Math.min(Number(to), size - 1) };
  }
  if (range.start >= size || range.start > range.end) {
    throw new ServiceError(
      'range-not-satisfiable',
      `range ${header} is outside the ${size} bytes of the file`,
      {
        size,
      },
    );
  }
  return range;
}

/**
 * `attachment` with the name twice (RFC 6266): plain ASCII with every quote, backslash, control and non-ASCII
 * character replaced, for old clients, and `filename*` percent-encoded for the others. Nothing of the name can end
 * the header or start another.
 */
function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  // RFC 8187's attr-char kept, every other byte of the UTF-8 percent-encoded (a lone surrogate becomes U+FFFD).
  const encoded = [...Buffer.from(name, 'utf8')]
    .map((byte) => {
      const char = String.fromCharCode(byte);
      return /[A-Za-z0-9!#$&+.^_`|~-]/.test(char)
        ? char
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

export interface SendFileOptions {
  contentType: string;
  /** A strong validator (the artifact's sha256); without one, size and modification time stand in. */
  etag?: string;
  /** Suggests the file name to save as. */
  downloadName?: string;
  /** `?offset=`: start here, as a Range would. */
  offset?: number;
}

/**
 * Streams a file the artifact store opened (null: not there) with Content-Length, ETag and Range support; never
 * reads it into memory. The file is closed whatever the answer.
 */
export async function sendFile(
  request: FastifyRequest,
  reply: FastifyReply,
  file: StoredFile | null,
  options: SendFileOptions,
) {
  if (!file) throw new ServiceError('not-found', 'the file is not there (yet)');
  try {
    return sendOpenFile(request, reply, file, options);
  } catch (error) {
    await file.close();
    throw error;
  }
}

function sendOpenFile(
  request: FastifyRequest,
  reply: FastifyReply,
  info: StoredFile,
  options: SendFileOptions,
) {
  const etag = `"${options.etag ?? `${info.size.toString(16)}-${info.modified.getTime().toString(16)}`}"`;
  reply.header('accept-ranges', 'bytes');
  reply.header('etag', etag);
  reply.header('last-modified', info.modified.toUTCString());
  reply.header('content-type', options.contentType);
  if (options.downloadName !== undefined) {
    reply.header('content-disposition', contentDisposition(options.downloadName));
  }
  if (request.headers['if-none-match'] === etag) {
    void info.close();
    return reply.code(304).send();
  }

  const ifRange = request.headers['if-range'];
  const rangeHeader = ifRange === undefined || ifRange === etag ? request.headers.range : undefined;
  let range = parseRange(rangeHeader, info.size);
  if (range === null && options.offset !== undefined && options.offset > 0) {
    range = { start: Math.min(options.offset, info.size), end: info.size - 1 };
  }
  if (range === null || info.size === 0) {
    reply.header('content-length', info.size);
    return reply.send(info.stream());
  }
  if (rangeHeader !== undefined) {
    reply.code(206).header('content-range', `bytes ${range.start}-${range.end}/${info.size}`);
  }
  const length = Math.max(0, range.end - range.start + 1);
  reply.header('content-length', length);
  if (length === 0) void info.close();
  return reply.send(length === 0 ? '' : info.stream(range));
}

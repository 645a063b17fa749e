import type { FastifyError, FastifyInstance } from 'fastify';
import { ERROR_STATUS, type ErrorCode, ServiceError } from '../errors.ts';
import { loggedUrl } from './request-log.ts';

/** Fastify's own 4xx errors, given the service's codes so clients see one vocabulary. */
const codeByStatus: Partial<Record<number, ErrorCode>> = {
  400: 'bad-request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not-found',
  406: 'bad-request',
  413: 'too-large',
  415: 'unsupported-media-type',
  416: 'range-not-satisfiable',
  429: 'too-many-requests',
  503: 'busy',
};

/** The one place errors become responses: `{error, message, details?}`, and never a stack trace. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | ServiceError, request, reply) => {
    if (error instanceof ServiceError) {
      if (error.retryAfterSeconds !== undefined) reply.header('retry-after', String(error.retryAfterSeconds));
      if (error.cause !== undefined) request.log.warn({ err: error.cause }, error.message);
      return reply.code(ERROR_STATUS[error.code]).send({
        error: error.code,
        message: error.message,
        ...(error.details === undefined ? {} : { details: error.details }),
      });
    }
    if (error.validation) {
      return reply.code(400).send({
        error: 'bad-request',
        message: error.message,
        details: error.validation.map(({ instancePath, message }) => ({ path: instancePath, message })),
      });
    }
    const status = error.statusCode ?? 500;
    const code = codeByStatus[status];
    if (status < 500 && code) return reply.code(status).send({ error: code, message: error.message });
    request.log.error({ err: error, method: request.method, url: loggedUrl(request.url) }, 'request failed');
    return reply
      .code(500)
      .send({ error: 'internal', message: 'internal error; the server log has the details' });
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .send({ error: 'not-found', message: `no route ${request.method} ${request.url.split('?')[0]}` }),
  );
}

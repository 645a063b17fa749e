import type { FastifyRequest } from 'fastify';

/** A share link's token is its path segment after `/share/`, in the API's URLs and the pages' alike. */
const SHARE_TOKEN = /(\/share\/)[^/?#]+/g;

/**
 * A request's URL as the log may keep it: a share link's token left out, since it opens downloads to whoever
 * holds it and the database keeps only its hash; a copy of the logs must not hand it out.
 */
export function loggedUrl(url: string): string {
  return url.replace(SHARE_TOKEN, '$1(token)');
}

/** Fastify's logger option with its request serializer (Fastify's own fields) reading URLs through loggedUrl. */
export function requestLogOptions(logger: boolean | object): boolean | object {
  if (logger === false) return false;
  const options: { serializers?: object } = logger === true ? {} : logger;
  return {
    ...options,
    serializers: {
      ...options.serializers,
      req: (request: FastifyRequest) => ({
        method: request.method,
        url: loggedUrl(request.url),
        host: request.host,
        remoteAddress: request.ip,
        remotePort: request.socket?.remotePort,
      }),
    },
  };
}

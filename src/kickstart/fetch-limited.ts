// A URL's body with a bound on its size, for what a request names (an %include, a repository's InRelease, a
// signing key): counted as it arrives, so a server that sends no length, or lies about it, cannot stream
// gigabytes into this process's memory in the 30 s the fetch may take.

/** The body of url, refused past maxBytes; a signal stops it early. */
export async function fetchLimited(url: string, maxBytes: number, signal?: AbortSignal): Promise<Buffer> {
  const timeout = AbortSignal.timeout(30_000);
  const response = await fetch(url, { signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
  if (!response.ok) throw new Error(`${response.status} ${response.statusText}`);
  const tooLarge = new Error(`larger than ${maxBytes} bytes`);
  if (Number(response.headers.get('content-length') ?? 0) > maxBytes) throw tooLarge;
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body ?? []) {
    size += chunk.length;
    if (size > maxBytes) throw tooLarge;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

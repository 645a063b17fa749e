/**
 * A fetch whose file downloads break off after `bytes` bytes, as a dropped connection does: the server is real,
 * only the body stops short and errors.
 */
export function cuttingFetch(bytes: number): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    if (!response.body || !String(input).includes('/files/')) return response;
    const reader = response.body.getReader();
    let passed = 0;
    const cut = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (passed >= bytes) {
          await reader.cancel();
          controller.error(new Error(`connection cut after ${passed} bytes`));
          return;
        }
        const { value, done } = await reader.read();
        if (done) return controller.close();
        const chunk = value.subarray(0, bytes - passed);
        passed += chunk.length;
        controller.enqueue(chunk);
      },
    });
    return new Response(cut, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
}

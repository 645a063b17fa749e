import { type Header, pack } from 'tar-stream';

export type TarEntry = Partial<Header> & { name: string; content?: string | Buffer };

/** A tar of exactly these entries, headers as given: what a hostile client can send. */
export async function tarOf(entries: readonly TarEntry[]): Promise<Buffer> {
  const packer = pack();
  for (const { content = '', ...header } of entries) {
    if (header.type !== undefined && header.type !== 'file') {
      packer.entry(header);
      continue;
    }
    const body = typeof content === 'string' ? Buffer.from(content) : content;
    packer.entry({ ...header, size: body.length }, body);
  }
  packer.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of packer) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

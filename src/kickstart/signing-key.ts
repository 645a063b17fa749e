// An OpenPGP public key carried in a request's text: a job's extra repository may be followed by one,
// ASCII-armored, and the kickstart carries it on its repo line as a data: URL (`--gpgkey=data:…`), so the
// kickstart as built still says everything the image got.

/** A public key, even with many subkeys and signatures, is a few KiB; anything this large is not one. */
export const MAX_KEY_BYTES = 64 * 1024;

const ARMOR_BEGIN = '-----BEGIN PGP PUBLIC KEY BLOCK-----';
const ARMOR_END = '-----END PGP PUBLIC KEY BLOCK-----';

/** An ASCII-armored OpenPGP public key block and nothing around it, of at most MAX_KEY_BYTES. */
export function isArmoredKey(text: string): boolean {
  const trimmed = text.trim();
  return (
    trimmed.startsWith(ARMOR_BEGIN) &&
    trimmed.endsWith(ARMOR_END) &&
    /^[\x20-\x7e\r\n]*$/.test(trimmed) &&
    trimmed.length <= MAX_KEY_BYTES
  );
}

/** The armored key as a data: URL, one kickstart token. */
export function keyDataUrl(armored: string): string {
  return `data:application/pgp-keys;base64,${Buffer.from(armored.trim()).toString('base64')}`;
}

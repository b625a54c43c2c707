// Non-fatal: a device's bad UTF-8 becomes U+FFFD instead of failing the whole body.
// ignoreBOM keeps a leading U+FEFF as text, so that it encodes back to the same bytes.
const utf8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/** ASCII strings up to this length are built by hand: cheaper than a TextDecoder call. */
const SHORT = 48;

/** Decodes UTF-8 bytes [start, end) of `buf`. */
export function decodeUtf8(buf: Uint8Array, start: number, end: number): string {
  if (end - start <= SHORT) {
    let text = '';
    for (let i = start; i < end; i++) {
      const byte = buf[i]!;
      if (byte >= 0x80) return utf8.decode(buf.subarray(start, end));
      text += String.fromCharCode(byte);
    }
    return text;
  }
  return utf8.decode(buf.subarray(start, end));
}

/**
 * Windows-1252 decoding that does not depend on the ICU data Node was built with.
 *
 * Node builds with small ICU (the official Node 20 binaries among them) decode the label
 * `windows-1252` (and `latin1`) with `TextDecoder` as ISO-8859-1, so the bytes 0x80-0x9F come back
 * as C1 control characters (0x80 -> U+0080 instead of the euro sign). Windows-1252 is ISO-8859-1
 * plus 27 printable characters in 0x80-0x9F; {@link decodeWindows1252} decodes the bytes as
 * ISO-8859-1 (Node's `latin1` Buffer encoding: one byte, one code unit) and maps those 32 bytes
 * with the WHATWG table.
 */

/**
 * Code points of the bytes 0x80-0x9F in Windows-1252: the WHATWG Encoding Standard's
 * index-windows-1252 (https://encoding.spec.whatwg.org/index-windows-1252.txt, pointers 0-31).
 * The 27 printable ones agree with Python's `cp1252` codec; 0x81, 0x8D, 0x8F, 0x90 and 0x9D are
 * unassigned in Windows-1252 and WHATWG maps them to the C1 controls of the same value.
 */
export const WINDOWS_1252_HIGH: readonly number[] = [
  0x20ac, 0x0081, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008d, 0x017d, 0x008f,
  0x0090, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x009d, 0x017e, 0x0178,
];

const C1_RE = /[\u0080-\u009f]/g;
const C1_TEST_RE = /[\u0080-\u009f]/;

/**
 * Decodes Windows-1252 bytes (the WHATWG meaning of the labels `latin1`, `iso-8859-1` and
 * `windows-1252`) to text, the same on every Node build. Stateless per byte, so a stream may be
 * decoded chunk by chunk.
 *
 * @example
 * decodeWindows1252(Uint8Array.of(0x80, 0x93, 0x61, 0x94)) // '€“a”'
 */
export function decodeWindows1252(bytes: Uint8Array): string {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  return C1_TEST_RE.test(text) ? text.replace(C1_RE, (c) => String.fromCharCode(WINDOWS_1252_HIGH[c.charCodeAt(0) - 0x80]!)) : text;
}

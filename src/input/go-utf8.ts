import { isUtf8 } from "node:buffer";

/**
 * Bytes as text the way Go's `string(bytes)` then `json.Marshal` (or `json.Unmarshal`) shows
 * them: valid UTF-8 as it is, and every byte that does not start a valid sequence as one U+FFFD
 * (Go's `utf8.DecodeRune` returns `RuneError` with width 1). The WHATWG decoder behind
 * `Buffer.toString` replaces a truncated sequence as one U+FFFD instead, so `e2 82 41` would be
 * one replacement where the peer's policy sees two.
 */
export function goUtf8(bytes: Uint8Array): string {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (isUtf8(buffer)) return buffer.toString("utf8");
  let text = "";
  let start = 0;
  let i = 0;
  while (i < buffer.length) {
    const width = runeWidth(buffer, i);
    if (width > 0) {
      i += width;
      continue;
    }
    text += `${buffer.toString("utf8", start, i)}\ufffd`;
    i += 1;
    start = i;
  }
  return text + buffer.toString("utf8", start);
}

/**
 * The length of the valid UTF-8 sequence at `i`, or 0. The second byte's range excludes
 * overlong forms, surrogates and code points past U+10FFFF (RFC 3629 §4, as Go's `acceptRanges`).
 */
function runeWidth(bytes: Uint8Array, i: number): number {
  const first = bytes[i] as number;
  if (first < 0x80) return 1;
  const [width, low, high] = leadRanges(first);
  if (width === 0 || i + width > bytes.length) return 0;
  const second = bytes[i + 1] as number;
  if (second < low || second > high) return 0;
  for (let k = 2; k < width; k++) {
    const next = bytes[i + k] as number;
    if (next < 0x80 || next > 0xbf) return 0;
  }
  return width;
}

/** Sequence width for a lead byte, and the range its second byte must fall in. */
function leadRanges(first: number): [number, number, number] {
  if (first >= 0xc2 && first <= 0xdf) return [2, 0x80, 0xbf];
  if (first === 0xe0) return [3, 0xa0, 0xbf];
  if (first === 0xed) return [3, 0x80, 0x9f];
  if (first >= 0xe1 && first <= 0xef) return [3, 0x80, 0xbf];
  if (first === 0xf0) return [4, 0x90, 0xbf];
  if (first >= 0xf1 && first <= 0xf3) return [4, 0x80, 0xbf];
  if (first === 0xf4) return [4, 0x80, 0x8f];
  return [0, 0, 0];
}

// Image format and size from the first bytes of a file, without decoding it: importers need the
// size to normalise boxes, and darknet reads only what stb_image reads (PNG, JPEG, BMP, GIF…, not TIFF).

import { closeSync, openSync, readSync } from 'node:fs';

export type ImageFormat = 'png' | 'jpeg' | 'bmp' | 'gif' | 'tiff' | 'webp' | 'unknown';

export interface ImageHeader {
  format: ImageFormat;
  width: number;
  height: number;
}

/** Formats the project decodes (core/src/nn/image.ts) and darknet reads. */
export const DECODABLE: ReadonlySet<ImageFormat> = new Set(['png', 'jpeg']);

export function sniffFormat(b: Uint8Array): ImageFormat {
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return 'png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b.length >= 2 && b[0] === 0x42 && b[1] === 0x4d) return 'bmp';
  if (b.length >= 4 && b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46) return 'gif';
  if (b.length >= 4 && ((b[0] === 0x49 && b[1] === 0x49 && b[2] === 0x2a) || (b[0] === 0x4d && b[1] === 0x4d && b[3] === 0x2a)))
    return 'tiff';
  if (b.length >= 12 && b[8] === 0x57 && b[9] === 0x45 && b[10] === 0x42 && b[11] === 0x50) return 'webp';
  return 'unknown';
}

function jpegSize(b: Uint8Array): { width: number; height: number } | undefined {
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) {
      i++;
      continue;
    }
    const marker = b[i + 1];
    if (marker === 0xff) {
      i++;
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      i += 2;
      continue;
    }
    const len = (b[i + 2] << 8) | b[i + 3];
    // SOF0..SOF15 except DHT (c4), JPG (c8), DAC (cc)
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: (b[i + 5] << 8) | b[i + 6], width: (b[i + 7] << 8) | b[i + 8] };
    }
    i += 2 + len;
  }
  return undefined;
}

/** Format and size from a buffer holding at least the file's start; width/height 0 when unknown. */
export function parseImageHeader(b: Uint8Array): ImageHeader {
  const format = sniffFormat(b);
  if (format === 'png' && b.length >= 24) {
    const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
    return { format, width: v.getUint32(16), height: v.getUint32(20) };
  }
  if (format === 'jpeg') return { format, ...(jpegSize(b) ?? { width: 0, height: 0 }) };
  return { format, width: 0, height: 0 };
}

/** Reads up to 256 KiB of the file (JPEG EXIF blocks come before the frame header). */
export function readImageHeader(path: string): ImageHeader {
  const fd = openSync(path, 'r');
  try {
    const buf = new Uint8Array(256 * 1024);
    const n = readSync(fd, buf, 0, buf.length, 0);
    return parseImageHeader(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
}
